import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The images the platform runs, each in its own ECR repository (`websplat/<image>`). */
export const IMAGES = ["agent-runtime", "control-plane"] as const;

/**
 * The image repositories: tags immutable, scanned on push, the last 50 images kept. Declared on their own
 * so the first `up` can create them before anything that runs an image (`websplat:bootstrap registries`).
 */
export class ImageRegistries extends pulumi.ComponentResource {
  readonly runtimeRepositoryUrl: pulumi.Output<string>;
  readonly controlPlaneRepositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: Record<string, never> = {}, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:ImageRegistries", name, args, opts);
    const parent = this;
    const [runtime, controlPlane] = IMAGES.map((image) => createRepository(image));
    this.runtimeRepositoryUrl = runtime!.repositoryUrl;
    this.controlPlaneRepositoryUrl = controlPlane!.repositoryUrl;
    this.registerOutputs({
      runtimeRepositoryUrl: this.runtimeRepositoryUrl,
      controlPlaneRepositoryUrl: this.controlPlaneRepositoryUrl,
    });

    function createRepository(image: string) {
      const repository = new aws.ecr.Repository(
        `${name}-${image}`,
        {
          name: `websplat/${image}`,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "KMS" }],
        },
        { parent },
      );
      new aws.ecr.LifecyclePolicy(
        `${name}-${image}`,
        {
          repository: repository.name,
          policy: JSON.stringify({
            rules: [
              {
                rulePriority: 1,
                description: "Keep the last 50 images",
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
                action: { type: "expire" },
              },
            ],
          }),
        },
        { parent },
      );
      return repository;
    }
  }
}
