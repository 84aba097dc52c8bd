import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POD_IDENTITY_TRUST } from "./identity.ts";

export interface ClusterAutoscalerArgs {
  provider: k8s.Provider;
  clusterName: pulumi.Input<string>;
  region: string;
}

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "cluster-autoscaler";

/**
 * Cluster Autoscaler over the managed node group (EKS tags its Auto Scaling group for discovery), so
 * the group's `max` is used: Pending tenant pods add nodes, idle nodes go away; and metrics-server, which the
 * pod autoscalers read.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:ClusterAutoscaler", name, {}, opts);
    const parent = this;
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: POD_IDENTITY_TRUST }, { parent });
    new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi.output(args.clusterName).apply((cluster) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: [
                  "autoscaling:DescribeAutoScalingGroups",
                  "autoscaling:DescribeAutoScalingInstances",
                  "autoscaling:DescribeLaunchConfigurations",
                  "autoscaling:DescribeScalingActivities",
                  "autoscaling:DescribeTags",
                  "ec2:DescribeImages",
                  "ec2:DescribeInstanceTypes",
                  "ec2:DescribeLaunchTemplateVersions",
                  "ec2:GetInstanceTypesFromInstanceRequirements",
                  "eks:DescribeNodegroup",
                ],
                Resource: "*",
              },
              {
                // Only the groups of this cluster.
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: {
                  StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" },
                },
              },
            ],
          }),
        ),
      },
      { parent },
    );
    const association = new aws.eks.PodIdentityAssociation(
      `${name}-pod-identity`,
      {
        clusterName: args.clusterName,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        roleArn: role.arn,
      },
      { parent },
    );
    new k8s.helm.v3.Release(
      `${name}`,
      {
        name: "cluster-autoscaler",
        chart: "cluster-autoscaler",
        version: "9.46.6",
        repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
        namespace: NAMESPACE,
        values: {
          cloudProvider: "aws",
          awsRegion: args.region,
          autoDiscovery: { clusterName: args.clusterName },
          rbac: { serviceAccount: { create: true, name: SERVICE_ACCOUNT } },
          extraArgs: {
            "balance-similar-node-groups": true,
            "skip-nodes-with-system-pods": false,
            expander: "least-waste",
          },
        },
      },
      { parent, provider: args.provider, dependsOn: [association] },
    );
    // Resource metrics for HorizontalPodAutoscalers (the sites Deployment scales on CPU); EKS ships none.
    new k8s.helm.v3.Release(
      `${name}-metrics-server`,
      {
        name: "metrics-server",
        chart: "metrics-server",
        version: "3.12.2",
        repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" },
        namespace: NAMESPACE,
      },
      { parent, provider: args.provider },
    );
    this.registerOutputs({});
  }
}
