"""Append-only audit log chained with HMAC under a key outside the database: record, verify."""
from .keys import AuditKeyError, AuditKeyMissing
from .service import VerifyResult, record, set_request_ip, verify

__all__ = ["AuditKeyError", "AuditKeyMissing", "VerifyResult", "record", "set_request_ip", "verify"]
