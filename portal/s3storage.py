"""Uploads on S3-compatible object storage (django-storages), for sites with several hosts (docs/deploy.md).

Two buckets, never one: the public media (`PublicMediaStorage`, AWS_STORAGE_BUCKET_NAME), whose prefix the site's own
nginx serves at /media/, and the private files (`PrivateS3Storage`, PORTAL_PRIVATE_BUCKET_NAME), which only signed
requests from the application reach. config/settings.py names them in STORAGES; portal.checks refuses a private
storage that could be read without a signature.
"""

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PublicMediaStorage(S3Storage):
    """Public uploads, linked on the site's own origin (`/media/<name>`), never at the bucket's host: nginx serves
    /media/ from this storage's prefix (deploy/nginx/media-s3.conf), so the CSP keeps `img-src 'self'` and no link
    carries a signature that expires inside a cached page."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(clean_name(name)).lstrip("/")


class PrivateS3Storage(S3Storage):
    """Private files in a bucket of their own: every request signed, no public ACL, no custom domain (whose URLs
    django-storages never signs), and no URL at all: the apps' views stream the file after checking who asks."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no public URL; link to the app's download view instead.")

    def open_stream(self, name):
        """The object's body as it arrives (botocore's stream) and its size, for `attachment_response`: a download
        neither waits for nor buffers the whole file, as `open()` does."""
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(name) from error
            raise
        return answer["Body"], answer["ContentLength"]
