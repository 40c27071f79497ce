// swift-tools-version:6.1
import PackageDescription

// RTCCore is sans-IO and depends only on system libraries (OpenSSL for DTLS and STUN's
// HMAC-SHA1, libsrtp2, libopus, libvpx) so that embedders pull in no Swift packages.
let package = Package(
    name: "swift-rtc",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "RTCCore", targets: ["RTCCore"]),
        .executable(name: "sfu-server", targets: ["RTCServer"]),
        .executable(name: "rtc-bench", targets: ["rtc-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2",
                       providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "COpus", pkgConfig: "opus",
                       providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CVPX", pkgConfig: "vpx",
                       providers: [.apt(["libvpx-dev"])]),
        // What Swift cannot import directly: OpenSSL function-like macros, and
        // sendmmsg/recvmmsg/UDP GSO which need _GNU_SOURCE.
        .target(name: "CRTCShims", dependencies: ["COpenSSL"]),
        // A malloc/free interposer that counts heap allocations (linked into rtc-bench only).
        .target(name: "CMallocCounter"),
        .target(
            name: "RTCCore",
            dependencies: ["COpenSSL", "CSRTP", "COpus", "CVPX", "CRTCShims"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "RTCServer",
            dependencies: [
                "RTCCore", "CRTCShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "rtc-bench",
            dependencies: [
                "RTCCore", "CMallocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The README's embedding example: an SFU on plain POSIX sockets in ~100 lines.
        .target(
            name: "MinimalSFU",
            dependencies: ["RTCCore"],
            path: "Examples/MinimalSFU",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "MinimalSFUTests",
            dependencies: ["MinimalSFU", "RTCCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "RTCCoreTests",
            dependencies: ["RTCCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "RTCServerTests",
            dependencies: ["RTCServer"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
