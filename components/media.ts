// Media storage: a private S3 bucket that only CloudFront can read. Buckets created today have
// ACLs disabled, so Mastodon's default `public-read` upload ACL would be refused; the app runs
// with S3_PERMISSION=private and S3_ALIAS_HOST pointing at the distribution.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface MediaStoreArgs {
    /** CloudFront price class (which edge locations serve media). */
    priceClass: string;
    /** Also `protect` the bucket and distribution in Pulumi state. Default false. */
    protect?: boolean;
}

/** AWS's managed "CachingOptimized" cache policy: long TTLs, gzip/brotli, no cookies or query strings. */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/** AWS's managed "SimpleCORS" response headers policy: the web UI loads audio with crossOrigin set. */
const SIMPLE_CORS = "60669652-455b-4ae9-85a4-c4c02393f86c";

export class MediaStore extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly cdnDomain: pulumi.Output<string>;

    constructor(name: string, args: MediaStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:media:MediaStore", name, {}, opts);
        const p = { parent: this };
        const keep = { parent: this, protect: args.protect };

        const bucket = new aws.s3.Bucket(name, { forceDestroy: false }, keep);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(name, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, p);
        new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, p);
        new aws.s3.BucketServerSideEncryptionConfiguration(name, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        }, p);
        new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, p);
        new aws.s3.BucketLifecycleConfiguration(name, {
            bucket: bucket.id,
            rules: [
                // Versioning is an undo for mistakes, kept a week: deleted media (takedowns, expired
                // remote caches) must really go soon after.
                { id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 } },
                { id: "abort-stale-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
            ],
        }, p);

        const oac = new aws.cloudfront.OriginAccessControl(name, {
            description: "Mastodon media bucket, read by CloudFront only",
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        }, p);
        const originId = "media";
        const cdn = new aws.cloudfront.Distribution(name, {
            enabled: true,
            isIpv6Enabled: true,
            httpVersion: "http2and3",
            comment: "Mastodon media",
            priceClass: args.priceClass,
            origins: [{ originId, domainName: bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
            defaultCacheBehavior: {
                targetOriginId: originId,
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD", "OPTIONS"],
                cachedMethods: ["GET", "HEAD"],
                cachePolicyId: CACHING_OPTIMIZED,
                responseHeadersPolicyId: SIMPLE_CORS,
                compress: true,
            },
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: { cloudfrontDefaultCertificate: true },
        }, keep);

        new aws.s3.BucketPolicy(name, {
            bucket: bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "CloudFrontReadsMedia",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "s3:GetObject",
                        Resource: pulumi.interpolate`${bucket.arn}/*`,
                        Condition: { StringEquals: { "AWS:SourceArn": cdn.arn } },
                    },
                    {
                        Sid: "TlsOnly",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            }),
        }, { parent: this, dependsOn: [publicAccess] });

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.cdnDomain = cdn.domainName;
        this.registerOutputs({ bucketName: this.bucketName, cdnDomain: this.cdnDomain });
    }
}
