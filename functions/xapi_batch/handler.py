"""SQS batch of xAPI statements (partial batch failures): see skillforge.xapi.sqs."""

from skillforge.observability import lambda_entry
from skillforge.xapi.sqs import handle_batch

handler = lambda_entry(handle_batch)
