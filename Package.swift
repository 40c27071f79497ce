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
                "RTCCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
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
        .testTarget(
            name: "RTCCoreTests",
            dependencies: ["RTCCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
