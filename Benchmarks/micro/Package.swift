// swift-tools-version: 6.1
// Micro-benchmarks of kreconcile's hot paths (ordo-one/benchmark). A package of its own,
// so the main build and CI never resolve or build the benchmark tooling:
//
//   cd Benchmarks/micro && swift package benchmark
//
// See Benchmarks/README.md, "Micro-benchmarks".
import Foundation
import PackageDescription

// A path dependency is named after its folder (the repository's checkout name).
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "kreconcile-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: root.path),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Reconciler", package: root.lastPathComponent),
                .product(name: "KubeClient", package: root.lastPathComponent),
            ],
            path: "Benchmarks/HotPaths",
            exclude: ["generated-pod.json", "generated-deployment.json"],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
