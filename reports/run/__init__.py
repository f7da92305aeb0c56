"""Running documents for callers: jobs (``jobs``), batches over processes (``batch``, ``pool``)
or Celery workers (``distributed``, ``snapshot``), the weekly schedule (``schedule``) and the HTTP
service (``service``, ``routes``); the build date they give the documents (``dates``)."""
