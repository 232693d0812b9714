"""`extractor review OUT`: a static site for checking an output folder by eye (see `extractor.review.site`)."""
