"""A script written for the official SDK (connections, domains, directories) runs against the
emulator with only its import lines changed, as a separate Python process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .official_sdk import official

OFFICIAL_SCRIPT = """\
import os

from scalekit import ScalekitClient
from scalekit.v1.connections.connections_pb2 import ConnectionProvider, ConnectionType, CreateConnection
from scalekit.v1.directories.directories_pb2 import CreateDirectory, DirectoryProvider, DirectoryType

scalekit_client = ScalekitClient(
    os.environ["SCALEKIT_ENVIRONMENT_URL"],
    os.environ["SCALEKIT_CLIENT_ID"],
    os.environ["SCALEKIT_CLIENT_SECRET"],
)
organization_id = "org_acme"

# Connections: add a SAML connection for Okta, turn it on, list them, look one up.
connection = CreateConnection()
connection.provider = ConnectionProvider.OKTA
connection.type = ConnectionType.SAML
created = scalekit_client.connection.create_connection(organization_id, connection)
scalekit_client.connection.enable_connection(organization_id, created.id)
for conn in scalekit_client.connection.list_connections(organization_id, include="all").connections:
    print("connection", conn.id, conn.provider, conn.type, conn.enabled)
okta = scalekit_client.connection.get_connection(organization_id, "conn_acme_okta")
print("okta", okta.provider, okta.status)
by_domain = scalekit_client.connection.list_connections_by_domain("acme.test")
print("by domain", len(by_domain.connections))
scalekit_client.connection.disable_connection(organization_id, created.id)
scalekit_client.connection.delete_connection(organization_id, created.id)

# Domains: add one, list them, read it back, remove it.
domain = scalekit_client.domain.create_domain(
    organization_id, "acme-corp.test", domain_type="ORGANIZATION_DOMAIN"
)
for item in scalekit_client.domain.list_domains(organization_id, domain_type="ORGANIZATION_DOMAIN"):
    print("domain", item.domain, item.verification_status)
print("got", scalekit_client.domain.get_domain(organization_id, domain.id).domain)
scalekit_client.domain.delete_domain(organization_id, domain.id)

# Directories: the organization's directory, its users and groups.
directory = scalekit_client.directory.get_primary_directory_by_organization_id(organization_id)
print("directory", directory.id, directory.directory_provider, directory.enabled)
users = scalekit_client.directory.list_directory_users(
    organization_id, directory.id, page_size=10, include_detail=True
)
for user in users.users:
    print("user", user.email, sorted(group.display_name for group in user.groups))
groups = scalekit_client.directory.list_directory_groups(organization_id, directory.id)
print("groups", sorted(group.display_name for group in groups.groups))
new_directory = scalekit_client.directory.create_directory(
    "org_globex",
    CreateDirectory(directory_type=DirectoryType.SCIM, directory_provider=DirectoryProvider.GOOGLE),
)
scalekit_client.directory.enable_directory("org_globex", new_directory.id)
print("directories", len(scalekit_client.directory.list_directories("org_globex")))
scalekit_client.directory.disable_directory("org_globex", new_directory.id)
scalekit_client.directory.delete_directory("org_globex", new_directory.id)
print("done")
"""

IMPORTS = {
    "from scalekit import ScalekitClient": "from scalekit_core import ScalekitClient",
    "from scalekit.v1.connections.connections_pb2 import": "from scalekit_core import",
    "from scalekit.v1.directories.directories_pb2 import": "from scalekit_core import",
}

EXPECTED = """\
connection conn_acme_okta OKTA OIDC True
connection {new} OKTA SAML True
okta OKTA COMPLETED
by domain 2
domain acme.test VERIFIED
domain acme-corp.test VERIFIED
got acme-corp.test
directory dir_acme_okta OKTA True
user alice@acme.test ['Admins', 'Engineering']
user bob@acme.test ['Engineering']
groups ['Admins', 'Engineering']
directories 1
done
"""


def ported(script: str) -> str:
    """The script with its import lines changed, and nothing else."""
    lines = script.splitlines(keepends=True)
    for index, line in enumerate(lines):
        for theirs, ours in IMPORTS.items():
            if line.startswith(theirs):
                lines[index] = line.replace(theirs, ours)
    changed = [a != b for a, b in zip(lines, script.splitlines(keepends=True), strict=True)]
    assert all(
        line.startswith(("from ", "import ")) for line, c in zip(lines, changed, strict=True) if c
    )
    return "".join(lines)


def test_official_style_script_runs_with_only_the_imports_changed(
    scalekit_emulator: Any, tmp_path: Path
) -> None:
    script = tmp_path / "admin_script.py"
    script.write_text(ported(OFFICIAL_SCRIPT), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, **scalekit_emulator.env(), "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    new = next(
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith("connection ") and "SAML" in line
    )
    assert result.stdout == EXPECTED.format(new=new)


@pytest.mark.official_sdk
def test_the_script_builds_the_same_requests_with_the_official_messages() -> None:
    """Its request messages, built with the official protobuf classes, are accepted too."""
    from scalekit_core.management import CreateConnection, CreateDirectory

    pb = official("scalekit.v1.connections.connections_pb2")
    dirs = official("scalekit.v1.directories.directories_pb2")
    theirs = pb.CreateConnection()
    theirs.provider = pb.ConnectionProvider.OKTA
    theirs.type = pb.ConnectionType.SAML
    assert CreateConnection.coerce(theirs).to_json() == {"provider": "OKTA", "type": "SAML"}
    directory = dirs.CreateDirectory(
        directory_type=dirs.DirectoryType.SCIM, directory_provider=dirs.DirectoryProvider.GOOGLE
    )
    assert CreateDirectory.coerce(directory).to_json() == {
        "directory_type": "SCIM",
        "directory_provider": "GOOGLE",
    }
