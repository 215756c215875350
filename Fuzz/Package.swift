// swift-tools-version: 6.0
// libFuzzer targets for kreconcile's parsers of untrusted input. A package of its own, so
// the main build and `make test` never build the harnesses nor need the sanitizers.
// Built and run by `make fuzz` (Fuzz/run.sh):
//
//   swift build --package-path Fuzz --scratch-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
//
// See the README, "Development".
import Foundation
import PackageDescription

// A path dependency is named after its folder (the repository's checkout name).
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let kreconcile = root.lastPathComponent

/// One harness: its main.swift hands its body to `fuzzMain` (FuzzSupport).
func harness(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: kreconcile) })
}

let package = Package(
    name: "kreconcile-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: root.path)],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        harness("FuzzListPage", ["KubeClient", "Reconciler"]),
        harness("FuzzKubeconfig", ["KubeClient"]),
        harness("FuzzSettings", ["Reconciler"]),
        harness("FuzzSnapshotFiles", ["KubeClient", "Reconciler"]),
        harness("FuzzLocationPath", ["Reconciler"]),
    ],
    swiftLanguageModes: [.v6]
)
