import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
  /** Address range of the VPC. */
  cidr: string;
  /** Zones to spread subnets over (two or more). */
  availabilityZones: string[];
}

/** A VPC with a public and a private subnet per zone; private subnets leave through one NAT gateway. */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidr: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Address ranges of the private subnets: nodes and (VPC CNI) pods, the ingress controller's among them. */
  readonly privateSubnetCidrs: string[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:Network", name, {}, opts);
    const parent = this;
    const [first, second] = args.cidr.split(".");
    const subnetCidr = (index: number) => `${first}.${second}.${index * 32}.0/19`;

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
      { parent },
    );
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, { parent });
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] },
      { parent },
    );
    const publicSubnets = args.availabilityZones.map((zone, index) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${zone}`,
        {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: subnetCidr(index),
          mapPublicIpOnLaunch: true,
          tags: { Name: `${name}-public-${zone}`, "kubernetes.io/role/elb": "1" },
        },
        { parent },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${zone}`,
        { subnetId: subnet.id, routeTableId: publicRoutes.id },
        { parent },
      );
      return subnet;
    });
    const natAddress = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc" }, { parent });
    const nat = new aws.ec2.NatGateway(
      `${name}-nat`,
      { allocationId: natAddress.id, subnetId: publicSubnets[0]!.id },
      { parent },
    );
    const privateRoutes = new aws.ec2.RouteTable(
      `${name}-private`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
      { parent },
    );
    const privateSubnets = args.availabilityZones.map((zone, index) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${zone}`,
        {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: subnetCidr(index + 4),
          tags: { Name: `${name}-private-${zone}`, "kubernetes.io/role/internal-elb": "1" },
        },
        { parent },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${zone}`,
        { subnetId: subnet.id, routeTableId: privateRoutes.id },
        { parent },
      );
      return subnet;
    });

    this.vpcId = vpc.id;
    this.cidr = args.cidr;
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
    this.privateSubnetCidrs = args.availabilityZones.map((_, index) => subnetCidr(index + 4));
    this.registerOutputs({ vpcId: this.vpcId });
  }
}
