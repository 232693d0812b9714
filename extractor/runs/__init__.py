"""Runs over many reports: `local` (worker processes and threads, resume, progress, failures) and `batch_api`
(the model's requests through the OpenAI Batch API, then a local run); `lock` keeps one run per output folder."""
