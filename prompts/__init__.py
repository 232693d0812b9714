"""Prompt templates, one Markdown file per task (read by `extractor.llm.prompts`); installed as `extractor.prompts`."""
