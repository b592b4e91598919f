"""The S3 server the other tests stand on: it starts, signs, and refuses what it must refuse."""

from .fixtures import MEDIA_BUCKET, MEDIA_PREFIX, PRIVATE_BUCKET


def test_it_starts_on_loopback_in_a_few_seconds(s3_server):
    assert s3_server.endpoint_url.startswith("http://127.0.0.1:")
    assert s3_server.started_in < 20


def test_a_signed_client_writes_and_reads_back(s3_server):
    client = s3_server.client()
    client.put_object(Bucket=PRIVATE_BUCKET, Key="probe/a.bin", Body=b"\x00\x01secret")
    assert client.get_object(Bucket=PRIVATE_BUCKET, Key="probe/a.bin")["Body"].read() == b"\x00\x01secret"


def test_an_unsigned_request_is_refused_outside_the_public_prefix(s3_server):
    client = s3_server.client()
    client.put_object(Bucket=PRIVATE_BUCKET, Key="probe/b.txt", Body=b"private")
    client.put_object(Bucket=MEDIA_BUCKET, Key="elsewhere/c.txt", Body=b"not public")
    client.put_object(Bucket=MEDIA_BUCKET, Key=f"{MEDIA_PREFIX}/d.txt", Body=b"public")
    assert s3_server.anonymous_get(PRIVATE_BUCKET, "probe/b.txt") == 403
    assert s3_server.anonymous_get(MEDIA_BUCKET, "elsewhere/c.txt") == 403
    assert s3_server.anonymous_get(PRIVATE_BUCKET, "") == 403  # no anonymous listing either
    assert s3_server.anonymous_get(MEDIA_BUCKET, "") == 403
    assert s3_server.anonymous_get(MEDIA_BUCKET, f"{MEDIA_PREFIX}/d.txt") == 200
