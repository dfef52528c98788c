"""Mailchimp's error documents: one exception type and a factory per error the sandbox emits.

Every error leaves the sandbox as `application/problem+json` with `type, title, status, detail,
instance` (instance = the `X-Request-Id` header), plus `errors[{field, message}]` for validation
errors. Titles and details are the texts recorded from the live API or reported by integrators
(see docs/sandbox.md, "Error texts"); where no live text is known the sandbox uses a plain
sentence and docs/sandbox.md marks it as inferred.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ERROR_TYPE_URL = "https://mailchimp.com/developer/marketing/docs/errors/"
SCHEMA_INVALID = (
    "The resource submitted could not be validated. For field-specific details, "
    "see the 'errors' array."
)
MERGE_FIELDS_INVALID = "Your merge fields were invalid."
TOO_MANY_CONNECTIONS = "You have exceeded the limit of 10 simultaneous connections."
TOO_MANY_BATCHES = (
    "You have more than 500 pending webhooks. Please wait for some to complete before "
    "adding any more batches."
)
INTERNAL_ERROR = (
    "A deep, internal error has occurred during the processing of your request. "
    "Please contact support."
)
ARCHIVE_REFUSED = (
    "This list member cannot be removed. Can not archive a contact that is bounced, "
    "pending or archived"
)
HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
    "<p>Your request may have timed out and been closed by our CDN.</p></body></html>"
)


def json_type_name(value: Any) -> str:
    """The JSON-schema type name Mailchimp's validator uses in its messages."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def wrong_type(field: str, expected: str, value: Any) -> dict[str, str]:
    """One schema-error entry: the value at `field` is not of the JSON type `expected`."""
    return {
        "field": field,
        "message": f"Schema describes {expected}, {json_type_name(value)} found instead",
    }


@dataclass(eq=False)
class ApiError(Exception):
    """An error response: raised anywhere in a handler, rendered once by the HTTP layer."""

    status: int
    title: str
    detail: str
    errors: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.title}: {self.detail}")

    def document(self, instance: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": ERROR_TYPE_URL,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        if self.errors:
            doc["errors"] = self.errors
        return doc


def bad_request(detail: str) -> ApiError:
    return ApiError(400, "Bad Request", detail)


def invalid_resource(detail: str, errors: list[dict[str, str]] | None = None) -> ApiError:
    return ApiError(400, "Invalid Resource", detail, errors or [])


def schema_invalid(errors: list[dict[str, str]]) -> ApiError:
    return ApiError(400, "Invalid Resource", SCHEMA_INVALID, errors)


def merge_fields_invalid(errors: list[dict[str, str]]) -> ApiError:
    return ApiError(400, "Invalid Resource", MERGE_FIELDS_INVALID, errors)


def json_parse() -> ApiError:
    return ApiError(
        400, "JSON Parse Exception", "We encountered an unspecified JSON parsing error."
    )


def not_found() -> ApiError:
    return ApiError(404, "Resource Not Found", "The requested resource could not be found.")


def method_not_allowed(allow: list[str]) -> ApiError:
    return ApiError(
        405,
        "Method Not Allowed",
        "The requested method and resource are not compatible. See the Allow header for this "
        "resource's available methods.",
        headers={"Allow": ", ".join(allow)},
    )


def archive_refused() -> ApiError:
    return ApiError(405, "Method Not Allowed", ARCHIVE_REFUSED)


def member_exists(email: str) -> ApiError:
    return ApiError(
        400,
        "Member Exists",
        f"{email} is already a list member. Use PUT to insert or update list members.",
    )


def compliance_state(email: str) -> ApiError:
    return ApiError(
        400,
        "Member In Compliance State",
        f"{email} is in a compliance state due to unsubscribe, bounce, or compliance review "
        "and cannot be subscribed.",
    )


def forgotten(email: str) -> ApiError:
    return ApiError(
        400,
        "Forgotten Email Not Subscribed",
        f"{email} was permanently deleted and cannot be re-imported. The contact must "
        "re-subscribe to get back on the list.",
    )


def fake_email(email: str) -> ApiError:
    return invalid_resource(f"{email} looks fake or invalid, please enter a real email address.")


def invalid_email() -> ApiError:
    return invalid_resource("Please provide a valid email address.")


def email_change_refused(status: str) -> ApiError:
    return invalid_resource(
        f'This member\'s status is "{status}." You can only update email addresses for '
        'members with a status of "subscribed."'
    )


def api_key_invalid() -> ApiError:
    return ApiError(
        401,
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    )


def api_key_missing() -> ApiError:
    return ApiError(401, "API Key Missing", "Your request did not include an API key.")


def too_many_requests(detail: str = TOO_MANY_CONNECTIONS) -> ApiError:
    return ApiError(429, "Too Many Requests", detail)


def internal_error() -> ApiError:
    return ApiError(500, "Internal Server Error", INTERNAL_ERROR)


def invalid_method_override() -> ApiError:
    return ApiError(
        422,
        "Invalid Method Override",
        "You can only use the X-HTTP-Method-Override header with the POST method.",
    )


def payload_too_large(limit: int) -> ApiError:
    return ApiError(
        413, "Request Entity Too Large", f"The request body is larger than {limit} bytes."
    )


def fields_invalid() -> ApiError:
    return ApiError(
        400, "Requested Fields Invalid", "The fields requested from this resource are invalid."
    )


# X-Trigger-Error: the documented testing hook. Header value -> the error it provokes.
TRIGGERED: dict[str, Callable[[], ApiError]] = {
    "BadRequest": lambda: bad_request("Your request could not be processed."),
    "InvalidAction": lambda: ApiError(
        400, "Invalid Action", "The action requested was not valid for this resource."
    ),
    "InvalidResource": lambda: invalid_resource("The resource submitted could not be validated."),
    "JSONParseError": json_parse,
    "APIKeyMissing": api_key_missing,
    "APIKeyInvalid": api_key_invalid,
    "Forbidden": lambda: ApiError(
        403, "Forbidden", "You are not permitted to access this resource."
    ),
    "UserDisabled": lambda: ApiError(403, "User Disabled", "This account has been deactivated."),
    "WrongDatacenter": lambda: ApiError(
        403, "Wrong Datacenter", "The API key provided is linked to a different datacenter."
    ),
    "ResourceNotFound": not_found,
    "MethodNotAllowed": lambda: ApiError(
        405, "Method Not Allowed", "The requested method and resource are not compatible."
    ),
    "ResourceNestingTooDeep": lambda: ApiError(
        414, "Resource Nesting Too Deep", "The sub-resource requested is nested too deeply."
    ),
    "InvalidMethodOverride": invalid_method_override,
    "RequestedFieldsInvalid": fields_invalid,
    "TooManyRequests": too_many_requests,
    "InternalServerError": internal_error,
    "ComplianceRelated": lambda: ApiError(
        503, "Compliance Related", "This method has been disabled."
    ),
}
