import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network.ts";

export interface EksClusterArgs {
  network: Network;
  /** Kubernetes version. */
  version: string;
  nodeInstanceType: string;
  nodes: { min: number; desired: number; max: number };
  /** IAM principals (roles of operators, CI) given cluster-admin through EKS access entries. @default [] */
  adminArns?: string[];
  /** The only addresses that reach the API endpoint from the internet; nodes and pods use the private endpoint. */
  apiAllowedCidrs: string[];
}

const assumeRole = (service: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });

/** An EKS cluster with one managed node group in the private subnets, and a kubeconfig for it. */
export class EksCluster extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  /** What must be running before anything is scheduled: nodes, the network plugin, Pod Identity. */
  readonly ready: pulumi.Resource[];
  /** Kubeconfig that authenticates with `aws eks get-token` (the caller's AWS identity). */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:EksCluster", name, {}, opts);
    const parent = this;

    const clusterRole = new aws.iam.Role(
      `${name}-cluster`,
      { assumeRolePolicy: assumeRole("eks.amazonaws.com") },
      { parent },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-cluster-policy`,
      { role: clusterRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" },
      { parent },
    );
    const cluster = new aws.eks.Cluster(
      `${name}`,
      {
        version: args.version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: [...args.network.privateSubnetIds, ...args.network.publicSubnetIds],
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          publicAccessCidrs: args.apiAllowedCidrs,
        },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        enabledClusterLogTypes: ["api", "audit", "authenticator"],
      },
      { parent },
    );
    const nodeRole = new aws.iam.Role(
      `${name}-nodes`,
      { assumeRolePolicy: assumeRole("ec2.amazonaws.com") },
      { parent },
    );
    const nodePolicies = [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryReadOnly",
    ].map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-nodes-${policy}`,
          { role: nodeRole.name, policyArn: `arn:aws:iam::aws:policy/${policy}` },
          { parent },
        ),
    );
    const nodeGroup = new aws.eks.NodeGroup(
      `${name}-nodes`,
      {
        clusterName: cluster.name,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.network.privateSubnetIds,
        instanceTypes: [args.nodeInstanceType],
        amiType: args.nodeInstanceType.match(/^[a-z]\d+g/)
          ? "AL2023_ARM_64_STANDARD"
          : "AL2023_x86_64_STANDARD",
        scalingConfig: { minSize: args.nodes.min, desiredSize: args.nodes.desired, maxSize: args.nodes.max },
        updateConfig: { maxUnavailable: 1 },
      },
      // The cluster autoscaler owns the desired size once the group exists.
      { parent, dependsOn: nodePolicies, ignoreChanges: ["scalingConfig.desiredSize"] },
    );
    // The VPC CNI enforces NetworkPolicies only when asked to; tenant isolation depends on it.
    // EKS installs a self-managed vpc-cni with every cluster: OVERWRITE adopts it on create too.
    const vpcCni = new aws.eks.Addon(
      `${name}-vpc-cni`,
      {
        clusterName: cluster.name,
        addonName: "vpc-cni",
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent },
    );
    // Pod Identity: the control plane and the autoscaler get AWS credentials from their ServiceAccounts.
    const podIdentity = new aws.eks.Addon(
      `${name}-pod-identity-agent`,
      {
        clusterName: cluster.name,
        addonName: "eks-pod-identity-agent",
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent, dependsOn: [nodeGroup] },
    );
    for (const [index, principalArn] of (args.adminArns ?? []).entries()) {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${index}`,
        { clusterName: cluster.name, principalArn, type: "STANDARD" },
        { parent },
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${index}`,
        {
          clusterName: cluster.name,
          principalArn,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        },
        { parent, dependsOn: [entry] },
      );
    }

    this.name = cluster.name;
    this.ready = [nodeGroup, vpcCni, podIdentity];
    this.kubeconfig = pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
      .apply(([clusterName, endpoint, authority]) =>
        eksKubeconfig(clusterName, endpoint, authority?.data ?? ""),
      );
    this.registerOutputs({ name: this.name });
  }
}

/**
 * A kubeconfig for an EKS cluster that gets its token from the AWS CLI: for the operator's machine
 * running the platform stack. The control plane never uses it (in the cluster it has its ServiceAccount).
 */
export function eksKubeconfig(clusterName: string, endpoint: string, certificateAuthority: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: clusterName,
        cluster: { server: endpoint, "certificate-authority-data": certificateAuthority },
      },
    ],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName],
          },
        },
      },
    ],
  });
}
