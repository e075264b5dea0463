"""The remote service's OAuth token lives in the keyring only; opening a service picks the
adapter for the account's API shape; every error speaks Vietnamese by default."""

from __future__ import annotations

import pytest
from keyring.backends import fail
from PySide6.QtCore import QCoreApplication

from desktop import i18n
from desktop.errors import SecretsUnavailable
from desktop.secrets import SecretStore
from desktop.signing.remote import errors
from desktop.signing.remote.account import KEYRING_SERVICE, RemoteAccount, RemoteKind, RemoteTokens
from desktop.signing.remote.connect import open_service
from desktop.signing.remote.csc import CscService
from desktop.signing.remote.hash_poll import HashPollService
from tests.fixtures.keyring import MemoryKeyring

ACCOUNT = RemoteAccount(RemoteKind.HASH_POLL, "https://smartca.example/api", "leader")


async def test_the_token_round_trips_through_the_keyring_and_opens_the_service(
    memory_keyring: MemoryKeyring,
) -> None:
    tokens = RemoteTokens()
    with pytest.raises(errors.RemoteNotSignedIn):
        await open_service(ACCOUNT, tokens)
    tokens.save(ACCOUNT, "secret-token")
    assert list(memory_keyring.secrets) == [(KEYRING_SERVICE, "leader@https://smartca.example/api")]
    async with await open_service(ACCOUNT, tokens) as service:
        assert isinstance(service, HashPollService)
        assert service.auth_headers == {"Authorization": "Bearer secret-token"}
    csc = RemoteAccount(RemoteKind.CSC, "https://mysign.example/vtss/service/ras", "leader")
    tokens.save(csc, "other")
    async with await open_service(csc, tokens) as service:
        assert isinstance(service, CscService)
    tokens.delete(ACCOUNT)
    assert tokens.load(ACCOUNT) is None


def test_without_a_keyring_the_token_is_refused_not_written_elsewhere() -> None:
    tokens = RemoteTokens(SecretStore(KEYRING_SERVICE, backend=fail.Keyring()))
    with pytest.raises(SecretsUnavailable):
        tokens.save(ACCOUNT, "secret-token")
    assert tokens.load(ACCOUNT) is None


@pytest.mark.parametrize(
    ("error", "vietnamese"),
    [
        (errors.RemoteSignRejected, "bị từ chối trên điện thoại"),
        (errors.RemoteSignExpired, "không được xác nhận trên điện thoại"),
        (errors.RemoteServiceUnavailable, "Không kết nối được dịch vụ ký số từ xa"),
        (errors.RemoteBadResponse, "trả lời không hợp lệ"),
        (errors.RemoteSignCancelled, "Đã hủy ký"),
        (errors.RemoteNotSignedIn, "chưa đăng nhập"),
        (errors.RemoteCredentialMissing, "không có chứng thư số"),
        (errors.RemoteSigningError, "không ký được văn bản"),
    ],
)
def test_errors_speak_vietnamese(
    qapp: QCoreApplication, error: type[errors.RemoteSigningError], vietnamese: str
) -> None:
    i18n.install(qapp, "vi")
    try:
        assert vietnamese in error("detail").user_message()
    finally:
        i18n.install(qapp, "en")
    assert vietnamese not in error("detail").user_message()  # English again
