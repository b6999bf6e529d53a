"""Scalekit's management API (organizations, sessions, users) for both twin clients.

>>> from scalekit_core.management import CreateOrganization
>>> org = client.organization.create_organization(  # doctest: +SKIP
...     CreateOrganization(display_name="Acme Corp", external_id="org_12345"))
"""

from .api_tokens import (  # machine clients, tokens, ...
    ApiToken,
    ApiTokenClient,
    ApiTokensPage,
    AsyncApiTokenClient,
    CreatedApiToken,
)
from .auth import (  # machine clients, tokens, ...
    AsyncAuthClient,
    AuthClient,
    LoginUserDetailsUpdated,
)
from .clients import (
    AsyncOrganizationClient,
    AsyncSessionClient,
    AsyncUserClient,
    OrganizationClient,
    SessionClient,
    UserClient,
)
from .events import (  # machine clients, tokens, ...
    AsyncEventsClient,
    Event,
    EventFilter,
    EventsClient,
    EventsPage,
)
from .m2m import (  # machine clients, tokens, passwordless, ...: one block
    AsyncM2MClientsClient,
    ClientSecret,
    CreatedClientSecret,
    CreatedM2MClient,
    M2MClient,
    M2MClientsClient,
    M2MClientsPage,
    M2MClientSpec,
)
from .models import (
    Membership,
    Organization,
    OrganizationsPage,
    PortalLink,
    RevokedSessions,
    Role,
    Session,
    SessionDevice,
    SessionLocation,
    SessionsPage,
    User,
    UserProfile,
    UsersPage,
)
from .passwordless import (  # machine clients, tokens, ...
    AsyncPasswordlessClient,
    PasswordlessClient,
    PasswordlessEmail,
    PasswordlessVerification,
)
from .resources import (  # machine clients, tokens, ...
    AsyncResourceClient,
    ConsentedUser,
    Resource,
    ResourceClient,
    ResourceClientDetails,
    ResourceClients,
    ResourcesPage,
    UserConsent,
    UserConsentsPage,
)
from .runner import AsyncManagementRunner, SyncManagementRunner
from .token import ManagementTokenCache
from .values import (
    SESSION_STATUSES,
    CreateOrganization,
    CreateUser,
    SessionFilter,
    Timestamp,
    UpdateOrganization,
    UpdateUser,
    create_session_filter,
)
from .webauthn import (  # machine clients, tokens, ...
    AsyncWebAuthnClient,
    DeletedCredential,
    WebAuthnClient,
    WebAuthnCredential,
    WebAuthnCredentials,
)

__all__ = [
    "SESSION_STATUSES",
    "ApiToken",
    "ApiTokenClient",
    "ApiTokensPage",
    "AsyncApiTokenClient",
    "AsyncAuthClient",
    "AsyncEventsClient",
    "AsyncM2MClientsClient",
    "AsyncManagementRunner",
    "AsyncOrganizationClient",
    "AsyncPasswordlessClient",
    # machine clients, tokens, passwordless, ...: one block
    "AsyncResourceClient",
    "AsyncSessionClient",
    "AsyncUserClient",
    "AsyncWebAuthnClient",
    "AuthClient",
    "ClientSecret",
    "ConsentedUser",
    "CreateOrganization",
    "CreateUser",
    "CreatedApiToken",
    "CreatedClientSecret",
    "CreatedM2MClient",
    "DeletedCredential",
    "Event",
    "EventFilter",
    "EventsClient",
    "EventsPage",
    "LoginUserDetailsUpdated",
    "M2MClient",
    "M2MClientSpec",
    "M2MClientsClient",
    "M2MClientsPage",
    "ManagementTokenCache",
    "Membership",
    "Organization",
    "OrganizationClient",
    "OrganizationsPage",
    "PasswordlessClient",
    "PasswordlessEmail",
    "PasswordlessVerification",
    "PortalLink",
    "Resource",
    "ResourceClient",
    "ResourceClientDetails",
    "ResourceClients",
    "ResourcesPage",
    "RevokedSessions",
    "Role",
    "Session",
    "SessionClient",
    "SessionDevice",
    "SessionFilter",
    "SessionLocation",
    "SessionsPage",
    "SyncManagementRunner",
    "Timestamp",
    "UpdateOrganization",
    "UpdateUser",
    "User",
    "UserClient",
    "UserConsent",
    "UserConsentsPage",
    "UserProfile",
    "UsersPage",
    "WebAuthnClient",
    "WebAuthnCredential",
    "WebAuthnCredentials",
    "create_session_filter",
]
