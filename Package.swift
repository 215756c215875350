// swift-tools-version:6.0
import PackageDescription

// The kreconcile binary links CCurl/KubeClient/Reconciler only; Hummingbird and
// SwiftNIO are dependencies of KubeEmulator (tests, benchmarks, kube-emulator) alone.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "kreconcile",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kreconcile", targets: ["kreconcile"]),
        .executable(name: "kube-emulator", targets: ["kube-emulator"]),
        // For the micro-benchmarks (Benchmarks/micro, a package of its own).
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "Reconciler", targets: ["Reconciler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        // Already in the graph through Hummingbird; named because the emulator imports them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // Metrics text format (depends only on swift-atomics and swift-metrics: no SwiftNIO).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // zlib for the emulator's gzip responses and large run records (the system library, no package needed).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Reconciler",
            dependencies: [
                "KubeClient",
                "CZlib",  // gzip of large run records
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),  // the settings file, YAML snapshots and reports
                .product(name: "Prometheus", package: "swift-prometheus"),  // --metrics-file, --pushgateway
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeEmulator",
            dependencies: [
                "KubeClient",  // for JSONValue only; the emulator never uses the client
                "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kreconcile",
            dependencies: [
                "KubeClient", "Reconciler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kube-emulator",
            dependencies: [
                "KubeEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeEmulator"], swiftSettings: strict),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "KubeEmulator"], swiftSettings: strict),
        .testTarget(name: "KubeEmulatorTests", dependencies: ["KubeEmulator"], swiftSettings: strict),
        // Runs the built `kreconcile` binary (next to the test bundle) against the emulator;
        // Reconciler for the bad-input tables, checked in process before a sample runs the binary.
        .testTarget(name: "EndToEndTests", dependencies: ["KubeClient", "KubeEmulator", "Reconciler"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
