import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  CONTROL_PLANE_NAMESPACE,
  CONTROL_PLANE_SERVICE_ACCOUNT,
  TENANT_MANAGER_ROLE,
} from "../tenant-template/index.ts";

export interface ControlPlaneIdentityArgs {
  provider: k8s.Provider;
  /**
   * EKS cluster the Pod Identity association is made in.
   * @default none: no association (an existing cluster gives the ServiceAccount its AWS role itself)
   */
  clusterName?: pulumi.Input<string>;
  /** Bucket of the tenant stacks' state (`PULUMI_BACKEND_URL`). */
  stateBucket: pulumi.Input<string>;
  /** Bucket of tenant backups (and published sites under `sites/`). */
  backupBucket: pulumi.Input<string>;
  /** Namespace the ServiceAccount lives in (created by the caller). */
  namespace: pulumi.Input<string>;
  /**
   * SES identity the control plane sends sign-in and notification mail as.
   * @default none: no right to send mail
   */
  emailIdentityArn?: pulumi.Input<string>;
}

/** The Pod Identity trust: EKS's agent assumes the role for the pods of one ServiceAccount. */
export const POD_IDENTITY_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
    },
  ],
});

/**
 * Who the control plane is, declared rather than set up by hand: an AWS role (state and backup
 * buckets only) bound to its ServiceAccount through EKS Pod Identity, and Kubernetes rights limited
 * to tenant namespaces. RBAC has no `t-*` wildcard, so: cluster-wide it may only create `t-*`
 * namespaces and bind the tenant-manager role there (a ValidatingAdmissionPolicy refuses any write of
 * this ServiceAccount outside `t-*`); inside a tenant namespace the tenant's own RoleBinding grants it
 * the tenant-manager role. It can read no other namespace's Secrets.
 */
export class ControlPlaneIdentity extends pulumi.ComponentResource {
  readonly serviceAccountName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  /** Resources the control plane's pods need before they start. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ControlPlaneIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:ControlPlaneIdentity", name, {}, opts);
    const parent = this;
    const kubernetes = { parent, provider: args.provider };
    const username = `system:serviceaccount:${CONTROL_PLANE_NAMESPACE}:${CONTROL_PLANE_SERVICE_ACCOUNT}`;

    const role = createRole();
    const association = createAssociation();
    const serviceAccount = createServiceAccount();
    const rbac = createRbac();
    createNamespaceGuard();

    this.serviceAccountName = serviceAccount.metadata.name;
    this.roleArn = role.arn;
    this.ready = [serviceAccount, ...rbac, ...(association ? [association] : [])];
    this.registerOutputs({ serviceAccountName: this.serviceAccountName, roleArn: this.roleArn });

    function createRole() {
      const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: POD_IDENTITY_TRUST }, { parent });
      new aws.iam.RolePolicy(
        `${name}-buckets`,
        {
          role: role.id,
          policy: pulumi.all([args.stateBucket, args.backupBucket]).apply(([state, backups]) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "ListTheTwoBuckets",
                  Effect: "Allow",
                  Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
                  Resource: [`arn:aws:s3:::${state}`, `arn:aws:s3:::${backups}`],
                },
                {
                  Sid: "ReadWriteTheirObjects",
                  Effect: "Allow",
                  Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"],
                  Resource: [`arn:aws:s3:::${state}/*`, `arn:aws:s3:::${backups}/*`],
                },
                {
                  // Both buckets encrypt with the AWS-managed S3 key; S3 calls KMS on the caller's behalf.
                  Sid: "UseTheS3KeyThroughS3",
                  Effect: "Allow",
                  Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                  Resource: "*",
                  Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
                },
              ],
            }),
          ),
        },
        { parent },
      );
      if (args.emailIdentityArn) {
        new aws.iam.RolePolicy(
          `${name}-email`,
          {
            role: role.id,
            policy: pulumi.output(args.emailIdentityArn).apply((identity) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  {
                    // nodemailer's SES transport calls SESv2 SendEmail (raw content).
                    Sid: "SendAsTheVerifiedDomain",
                    Effect: "Allow",
                    Action: ["ses:SendEmail", "ses:SendRawEmail"],
                    Resource: identity,
                  },
                ],
              }),
            ),
          },
          { parent },
        );
      }
      return role;
    }

    function createAssociation() {
      if (!args.clusterName) return undefined;
      return new aws.eks.PodIdentityAssociation(
        `${name}-pod-identity`,
        {
          clusterName: args.clusterName,
          namespace: CONTROL_PLANE_NAMESPACE,
          serviceAccount: CONTROL_PLANE_SERVICE_ACCOUNT,
          roleArn: role.arn,
        },
        { parent },
      );
    }

    function createServiceAccount() {
      return new k8s.core.v1.ServiceAccount(
        `${name}-service-account`,
        { metadata: { name: CONTROL_PLANE_SERVICE_ACCOUNT, namespace: args.namespace } },
        kubernetes,
      );
    }

    function createRbac() {
      const crud = ["get", "list", "watch", "create", "update", "patch", "delete"];
      const manager = new k8s.rbac.v1.ClusterRole(
        `${name}-tenant-manager`,
        {
          metadata: { name: TENANT_MANAGER_ROLE },
          // What a tenant stack declares inside its namespace (tenant-template/environment.ts).
          rules: [
            {
              apiGroups: [""],
              resources: ["resourcequotas", "limitranges", "serviceaccounts", "secrets", "services"],
              verbs: crud,
            },
            // Read by the Kubernetes provider's awaiters: a Deployment waits on its ReplicaSets, Pods and
            // PVCs, a Service and an Ingress on Endpoints, every object on its Events. Without list/watch
            // their informers never sync and the update hangs (tests/unit/infra-tenant-rbac.test.ts).
            {
              apiGroups: [""],
              resources: ["pods", "pods/log", "events", "endpoints", "persistentvolumeclaims"],
              verbs: ["get", "list", "watch"],
            },
            { apiGroups: ["apps"], resources: ["deployments"], verbs: crud },
            { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses"], verbs: crud },
            { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: crud },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: crud },
          ],
        },
        kubernetes,
      );
      const provisioner = new k8s.rbac.v1.ClusterRole(
        `${name}-tenant-provisioner`,
        {
          metadata: { name: "websplat-tenant-provisioner" },
          rules: [
            { apiGroups: [""], resources: ["namespaces"], verbs: crud },
            // A Namespace is cluster-scoped: the provider watches its Events in every namespace.
            { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
            // The tenant stack's first object in its namespace: the binding that grants the rest.
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: crud },
            {
              apiGroups: ["rbac.authorization.k8s.io"],
              resources: ["clusterroles"],
              verbs: ["bind"],
              resourceNames: [TENANT_MANAGER_ROLE],
            },
          ],
        },
        kubernetes,
      );
      const binding = new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-tenant-provisioner`,
        {
          metadata: { name: "websplat-tenant-provisioner" },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: provisioner.metadata.name,
          },
          subjects: [
            {
              kind: "ServiceAccount",
              name: CONTROL_PLANE_SERVICE_ACCOUNT,
              namespace: CONTROL_PLANE_NAMESPACE,
            },
          ],
        },
        kubernetes,
      );
      return [manager, provisioner, binding];
    }

    /** Every write of the control plane's ServiceAccount must be a `t-*` namespace or inside one. */
    function createNamespaceGuard() {
      const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        `${name}-tenant-namespaces-only`,
        {
          metadata: { name: "websplat-control-plane-tenant-namespaces-only" },
          spec: {
            failurePolicy: "Fail",
            matchConstraints: {
              resourceRules: [
                {
                  apiGroups: ["*"],
                  apiVersions: ["*"],
                  operations: ["CREATE", "UPDATE", "DELETE"],
                  resources: ["*"],
                },
              ],
            },
            matchConditions: [
              { name: "control-plane-only", expression: `request.userInfo.username == '${username}'` },
            ],
            validations: [
              {
                expression:
                  "request.namespace.startsWith('t-') || (request.kind.kind == 'Namespace' && " +
                  "(object != null ? object.metadata.name : oldObject.metadata.name).startsWith('t-'))",
                message: "The WebSplat control plane may change tenant namespaces (t-*) only.",
              },
            ],
          },
        },
        kubernetes,
      );
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        `${name}-tenant-namespaces-only`,
        {
          metadata: { name: "websplat-control-plane-tenant-namespaces-only" },
          spec: { policyName: policy.metadata.name, validationActions: ["Deny"] },
        },
        kubernetes,
      );
    }
  }
}
