"""The local S3 server holds as many small buckets as a test run makes.

SeaweedFS gives every bucket a volume of its own; with its default sizing (1 GiB volumes, as
many as the free disk holds) a machine with 54 GB free had 53, and the suite's 54th bucket
failed with "no free volumes left". The launcher sizes volumes at 64 MiB with a ceiling of
2000 (sparse files), so a hundred buckets are nothing.
"""

from __future__ import annotations

import uuid

import boto3

from winnow_localstack import LocalStack
from winnow_localstack.s3 import MAX_VOLUMES


def test_a_hundred_buckets_each_take_writes(local_stack: LocalStack) -> None:
    env = local_stack.env()
    s3 = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    assert MAX_VOLUMES >= 1000
    run = uuid.uuid4().hex[:6]
    for i in range(100):
        bucket = f"many-{run}-{i:03d}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
