/// The version reported in User-Agent and `kreconcile --version`.
public enum KubeClientVersion {
    public static let current = "0.1.0"
}
