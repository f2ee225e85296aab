#!/bin/sh
# Creates (or checks) the Pulumi state backend for this project, once per AWS account:
#   - an S3 bucket for state: versioned, KMS-encrypted, public access blocked, TLS only;
#   - a KMS key (with an alias) to use as the stacks' secrets provider.
# Safe to run again: what exists is kept and only brought up to these settings.
#
#   scripts/bootstrap-backend.sh --bucket acme-pulumi-state --region ap-northeast-1 [--key-alias alias/mastodon-pulumi]
set -eu

usage() { echo "usage: $0 --bucket NAME --region REGION [--key-alias alias/NAME]" >&2; exit 2; }
bucket="" region="" alias="alias/mastodon-pulumi"
while [ $# -gt 0 ]; do
    case "$1" in
        --bucket) bucket=${2:-}; shift 2 ;;
        --region) region=${2:-}; shift 2 ;;
        --key-alias) alias=${2:-}; shift 2 ;;
        *) usage ;;
    esac
done
if [ -z "$bucket" ] || [ -z "$region" ]; then usage; fi
case "$alias" in alias/*) ;; *) echo "--key-alias must start with alias/" >&2; exit 2 ;; esac

# The key first: the bucket encrypts with it.
if key=$(aws kms describe-key --region "$region" --key-id "$alias" --query KeyMetadata.Arn --output text 2>/dev/null); then
    echo "kms key:  $alias already existed ($key)"
else
    key=$(aws kms create-key --region "$region" --description "Pulumi secrets provider and state encryption" --query KeyMetadata.Arn --output text)
    aws kms create-alias --region "$region" --alias-name "$alias" --target-key-id "$key"
    echo "kms key:  created $alias ($key)"
fi
aws kms enable-key-rotation --region "$region" --key-id "$key"

if aws s3api head-bucket --bucket "$bucket" 2>/dev/null; then
    echo "bucket:   s3://$bucket already existed"
else
    if [ "$region" = "us-east-1" ]; then
        aws s3api create-bucket --bucket "$bucket" --region "$region" >/dev/null
    else
        aws s3api create-bucket --bucket "$bucket" --region "$region" --create-bucket-configuration "LocationConstraint=$region" >/dev/null
    fi
    echo "bucket:   created s3://$bucket"
fi
aws s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
aws s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
    "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$key\"},\"BucketKeyEnabled\":true}]}"
aws s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
aws s3api put-bucket-ownership-controls --bucket "$bucket" --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
aws s3api put-bucket-policy --bucket "$bucket" --policy \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"TlsOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::$bucket\",\"arn:aws:s3:::$bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
echo "settings: versioning, KMS encryption, public access block, TLS-only policy applied"
echo
echo "Use it:"
echo "  pulumi login 's3://$bucket?region=$region'"
echo "  pulumi stack init <stack> --secrets-provider 'awskms://$alias?region=$region'"
