"""The base class of every Celery task: runs inside a "task" audit context."""

from celery import Task

from bcp_portal.audit import Source, audit_context


class AuditedTask(Task):
    def __call__(self, *args, **kwargs):
        request_id = getattr(self.request, "id", None) or None
        with audit_context(source=Source.TASK, request_id=request_id):
            return super().__call__(*args, **kwargs)
