"""S3-compatible object storage (AWS S3, MinIO, Ceph, R2, ...) through boto3.

Every object gets its Content-Type and Cache-Control; text objects are stored gzip-compressed with
`Content-Encoding: gzip` (a bucket cannot choose an encoding per request, and every browser accepts gzip), and
carry their SHA-256 in the `sha256` metadata. Uploads run in parallel (`workers`). The manifest is an object
beside the site, sent with `Cache-Control: no-cache`. Credentials come from boto3's usual places:
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any

from publish.compress import compress
from publish.config import MANIFEST_NAME, S3Target
from publish.errors import TargetError, redact
from publish.plan import Manifest, ManifestEntry
from publish.site import Capabilities, LocalFile
from publish.targets import Advance

_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class S3Publisher:
    def __init__(self, config: S3Target) -> None:
        import boto3
        from botocore.config import Config

        self.name = config.name
        self.config = config
        where = f" at {redact(config.endpoint_url)}" if config.endpoint_url else ""
        self.description = f"s3://{config.bucket}/{config.prefix}{where}"
        self.capabilities = Capabilities(headers=True, encodings=("gzip",) if config.compress else ())
        session = boto3.session.Session(region_name=config.region)
        self.client: Any = session.client(
            "s3",
            endpoint_url=config.endpoint_url,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=config.workers),
        )

    def extra_files(self) -> Mapping[str, bytes]:
        return {}

    def remote_paths(self, path: str, entry: ManifestEntry) -> tuple[str, ...]:
        return (path,)

    def _fail(self, what: str, error: Exception) -> TargetError:
        from botocore.exceptions import ClientError, NoCredentialsError

        if isinstance(error, NoCredentialsError):
            return TargetError(
                f"target {self.name!r}: no S3 credentials to {what} {self.description}; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
            )
        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "?")
            message = error.response.get("Error", {}).get("Message", "") or str(error)
            hint = "; create the bucket or fix its name" if code == "NoSuchBucket" else ""
            return TargetError(f"target {self.name!r}: could not {what} {self.description}: {code} {message}{hint}")
        return TargetError(f"target {self.name!r}: could not {what} {self.description}: {redact(str(error))}")

    def read_manifest(self) -> Manifest | None:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.config.prefix + MANIFEST_NAME
        try:
            body = self.client.get_object(Bucket=self.config.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise self._fail("read the manifest from", error) from None
        except BotoCoreError as error:
            raise self._fail("read the manifest from", error) from None
        return Manifest.from_json(body, f"s3://{self.config.bucket}/{key}")

    def _put(self, file: LocalFile) -> int:
        data = file.read()
        extra: dict[str, Any] = {}
        if "gzip" in file.encodings:
            data = compress(data, "gzip")
            extra["ContentEncoding"] = "gzip"
        self.client.put_object(
            Bucket=self.config.bucket,
            Key=self.config.prefix + file.path,
            Body=data,
            ContentType=file.content_type,
            CacheControl=file.cache_control,
            Metadata={"sha256": file.sha256},
            **extra,
        )
        return len(data)

    def upload(self, files: Sequence[LocalFile], advance: Advance) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        sent = 0
        with ThreadPoolExecutor(max_workers=self.config.workers) as pool:
            futures: dict[Future[int], LocalFile] = {pool.submit(self._put, file): file for file in files}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    try:
                        sent += future.result()
                    except (BotoCoreError, ClientError) as error:
                        for other in pending:
                            other.cancel()
                        raise self._fail(f"upload {futures[future].path} to", error) from None
                    advance(futures[future])
        return sent

    def delete(self, paths: Sequence[str]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        keys = [self.config.prefix + path for path in paths]
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + _DELETE_BATCH]]
            try:
                answer = self.client.delete_objects(Bucket=self.config.bucket, Delete={"Objects": batch, "Quiet": True})
            except (BotoCoreError, ClientError) as error:
                raise self._fail("delete objects in", error) from None
            failed = answer.get("Errors") or []
            if failed:
                first = failed[0]
                raise TargetError(
                    f"target {self.name!r}: could not delete {len(failed)} object(s) in {self.description}, e.g. "
                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
                )

    def finish(self, manifest: Manifest) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.config.bucket,
                Key=self.config.prefix + MANIFEST_NAME,
                Body=manifest.to_json().encode("utf-8"),
                ContentType="application/json",
                CacheControl="no-cache",
            )
        except (BotoCoreError, ClientError) as error:
            raise self._fail("write the manifest to", error) from None
