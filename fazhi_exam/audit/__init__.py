"""Append-only, hash-chained audit log: record events, verify the chain."""
from .service import VerifyResult, record, set_request_ip, verify

__all__ = ["VerifyResult", "record", "set_request_ip", "verify"]
