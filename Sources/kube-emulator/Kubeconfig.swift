import Foundation

/// A kubeconfig with one cluster/user/context named `kube-emulator`.
enum Kubeconfig {
    static func render(server: String, caPEM: String?, token: String?) -> String {
        var cluster = "    server: \(server)\n"
        if let caPEM { cluster += "    certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())\n" }
        let user = token.map { "    token: \($0)\n" } ?? "    {}\n"
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: kube-emulator
              cluster:
            \(cluster)users:
            - name: kube-emulator
              user:
            \(user)contexts:
            - name: kube-emulator
              context:
                cluster: kube-emulator
                user: kube-emulator
                namespace: default
            current-context: kube-emulator

            """
    }
}
