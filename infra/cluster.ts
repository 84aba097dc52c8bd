import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network.ts";

export interface EksClusterArgs {
  network: Network;
  /** Kubernetes version. */
  version: string;
  nodeInstanceType: string;
  nodes: { min: number; desired: number; max: number };
}

const assumeRole = (service: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });

/** An EKS cluster with one managed node group in the private subnets, and a kubeconfig for it. */
export class EksCluster extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
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
    new aws.eks.NodeGroup(
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
      { parent, dependsOn: nodePolicies },
    );
    // The VPC CNI enforces NetworkPolicies only when asked to; tenant isolation depends on it.
    new aws.eks.Addon(
      `${name}-vpc-cni`,
      {
        clusterName: cluster.name,
        addonName: "vpc-cni",
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent },
    );

    this.name = cluster.name;
    this.kubeconfig = pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
      .apply(([clusterName, endpoint, authority]) =>
        eksKubeconfig(clusterName, endpoint, authority?.data ?? ""),
      );
    this.registerOutputs({ name: this.name });
  }
}

/** A kubeconfig for an EKS cluster that gets its token from the AWS CLI. */
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
