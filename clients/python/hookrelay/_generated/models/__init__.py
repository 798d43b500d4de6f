"""Contains all the data models used in inputs/outputs"""

from .api_key_created import ApiKeyCreated
from .api_key_list import ApiKeyList
from .api_key_response import ApiKeyResponse
from .attempt_response import AttemptResponse
from .branding import Branding
from .callback_page import CallbackPage
from .callback_response import CallbackResponse
from .callback_url_response import CallbackUrlResponse
from .circuit_state import CircuitState
from .circuit_view import CircuitView
from .create_api_key_request import CreateApiKeyRequest
from .create_event_request import CreateEventRequest
from .create_event_type_request import CreateEventTypeRequest
from .create_portal_session_request import CreatePortalSessionRequest
from .create_post_request import CreatePostRequest
from .create_tenant_request import CreateTenantRequest
from .create_webhook_request import CreateWebhookRequest
from .create_webhook_request_headers_type_0 import CreateWebhookRequestHeadersType0
from .delivery_detail import DeliveryDetail
from .delivery_page import DeliveryPage
from .delivery_response import DeliveryResponse
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .error_detail_detail_type_0 import ErrorDetailDetailType0
from .event_accepted import EventAccepted
from .event_detail import EventDetail
from .event_page import EventPage
from .event_response import EventResponse
from .event_type_page import EventTypePage
from .event_type_response import EventTypeResponse
from .handshake import Handshake
from .import_request import ImportRequest
from .import_result import ImportResult
from .issue_api_key_request import IssueApiKeyRequest
from .lane_view import LaneView
from .locale import Locale
from .log_entry_response import LogEntryResponse
from .log_entry_response_payload_type_0 import LogEntryResponsePayloadType0
from .log_page import LogPage
from .ordering_mode import OrderingMode
from .payload_format import PayloadFormat
from .portal_session_created import PortalSessionCreated
from .portal_session_response import PortalSessionResponse
from .post_detail import PostDetail
from .post_page import PostPage
from .post_response import PostResponse
from .preset_name import PresetName
from .rate_period import RatePeriod
from .replay_preview import ReplayPreview
from .replay_request import ReplayRequest
from .replay_response import ReplayResponse
from .replay_started import ReplayStarted
from .rotate_secret_request import RotateSecretRequest
from .rotated_secret_response import RotatedSecretResponse
from .signature_profile import SignatureProfile
from .signature_scheme import SignatureScheme
from .stats_point import StatsPoint
from .tenant_created_response import TenantCreatedResponse
from .tenant_page import TenantPage
from .tenant_response import TenantResponse
from .test_result import TestResult
from .test_url_request import TestUrlRequest
from .test_url_request_headers import TestUrlRequestHeaders
from .test_url_request_payload_type_0 import TestUrlRequestPayloadType0
from .test_webhook_request import TestWebhookRequest
from .test_webhook_request_payload_type_0 import TestWebhookRequestPayloadType0
from .transport_failure import TransportFailure
from .update_callback_url_request import UpdateCallbackUrlRequest
from .update_event_type_request import UpdateEventTypeRequest
from .update_tenant_request import UpdateTenantRequest
from .update_webhook_request import UpdateWebhookRequest
from .update_webhook_request_headers import UpdateWebhookRequestHeaders
from .waiting_view import WaitingView
from .webhook_created_response import WebhookCreatedResponse
from .webhook_headers_response import WebhookHeadersResponse
from .webhook_headers_response_headers import WebhookHeadersResponseHeaders
from .webhook_page import WebhookPage
from .webhook_response import WebhookResponse
from .webhook_response_headers import WebhookResponseHeaders
from .webhook_secret_response import WebhookSecretResponse
from .webhook_stats import WebhookStats
from .webhook_updated_response import WebhookUpdatedResponse

__all__ = (
    "ApiKeyCreated",
    "ApiKeyList",
    "ApiKeyResponse",
    "AttemptResponse",
    "Branding",
    "CallbackPage",
    "CallbackResponse",
    "CallbackUrlResponse",
    "CircuitState",
    "CircuitView",
    "CreateApiKeyRequest",
    "CreateEventRequest",
    "CreateEventTypeRequest",
    "CreatePortalSessionRequest",
    "CreatePostRequest",
    "CreateTenantRequest",
    "CreateWebhookRequest",
    "CreateWebhookRequestHeadersType0",
    "DeliveryDetail",
    "DeliveryPage",
    "DeliveryResponse",
    "ErrorBody",
    "ErrorDetail",
    "ErrorDetailDetailType0",
    "EventAccepted",
    "EventDetail",
    "EventPage",
    "EventResponse",
    "EventTypePage",
    "EventTypeResponse",
    "Handshake",
    "ImportRequest",
    "ImportResult",
    "IssueApiKeyRequest",
    "LaneView",
    "Locale",
    "LogEntryResponse",
    "LogEntryResponsePayloadType0",
    "LogPage",
    "OrderingMode",
    "PayloadFormat",
    "PortalSessionCreated",
    "PortalSessionResponse",
    "PostDetail",
    "PostPage",
    "PostResponse",
    "PresetName",
    "RatePeriod",
    "ReplayPreview",
    "ReplayRequest",
    "ReplayResponse",
    "ReplayStarted",
    "RotatedSecretResponse",
    "RotateSecretRequest",
    "SignatureProfile",
    "SignatureScheme",
    "StatsPoint",
    "TenantCreatedResponse",
    "TenantPage",
    "TenantResponse",
    "TestResult",
    "TestUrlRequest",
    "TestUrlRequestHeaders",
    "TestUrlRequestPayloadType0",
    "TestWebhookRequest",
    "TestWebhookRequestPayloadType0",
    "TransportFailure",
    "UpdateCallbackUrlRequest",
    "UpdateEventTypeRequest",
    "UpdateTenantRequest",
    "UpdateWebhookRequest",
    "UpdateWebhookRequestHeaders",
    "WaitingView",
    "WebhookCreatedResponse",
    "WebhookHeadersResponse",
    "WebhookHeadersResponseHeaders",
    "WebhookPage",
    "WebhookResponse",
    "WebhookResponseHeaders",
    "WebhookSecretResponse",
    "WebhookStats",
    "WebhookUpdatedResponse",
)
