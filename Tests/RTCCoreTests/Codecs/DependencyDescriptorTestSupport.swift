@testable import RTCCore

/// Structures from the AV1 RTP specification's examples (A.10.2), and helpers to read and
/// write descriptors from byte arrays.
enum DDTestSupport {
    static func t(_ s: Int, _ tid: Int, _ dtis: String, _ fdiffs: [Int], _ chains: [Int]) -> FrameDependencyTemplate {
        guard let v = FrameDependencyTemplate(spatialID: s, temporalID: tid, dtis: dtis, fdiffs: fdiffs, chains: chains) else {
            preconditionFailure("bad test template")
        }
        return v
    }

    /// A.10.2.1 L1T3: decode targets 30, 15, 7.5 fps; one chain over the TID 0 frames.
    static func l1t3(offset: Int = 0, resolution: VideoResolution? = VideoResolution(width: 640, height: 360)) -> FrameDependencyStructure {
        let s = FrameDependencyStructure(
            templateIDOffset: offset, decodeTargetCount: 3, chainCount: 1, protectedBy: [0, 0, 0],
            templates: [t(0, 0, "SSS", [], [0]), t(0, 0, "SSS", [4], [4]), t(0, 1, "SD-", [2], [2]),
                        t(0, 2, "D--", [1], [1]), t(0, 2, "D--", [1], [3])],
            resolutions: resolution.map { [$0] } ?? [])
        guard let s else { preconditionFailure("bad L1T3") }
        return s
    }

    /// A.10.2.2 L3T3 full SVC: decode targets HD30, HD15, HD7.5, VGA30 … QVGA7.5 (0...8); three
    /// chains (S0 T0; S0-S1 T0; all T0).
    static func l3t3() -> FrameDependencyStructure {
        let s = FrameDependencyStructure(
            templateIDOffset: 1, decodeTargetCount: 9, chainCount: 3, protectedBy: [2, 2, 2, 1, 1, 1, 0, 0, 0],
            templates: [
                t(0, 0, "SSSSSSSSS", [], [0, 0, 0]),
                t(0, 0, "RRRRRRSSS", [12], [12, 11, 10]),
                t(0, 1, "RR-RR-SD-", [6], [6, 5, 4]),
                t(0, 2, "R--R--D--", [3], [3, 2, 1]),
                t(0, 2, "R--R--D--", [3], [9, 8, 7]),
                t(1, 0, "SSSSSS---", [1], [1, 1, 1]),
                t(1, 0, "RRRSSS---", [12, 1], [1, 1, 1]),
                t(1, 1, "RR-SD----", [6, 1], [7, 6, 5]),
                t(1, 2, "R--D-----", [3, 1], [4, 3, 2]),
                t(1, 2, "R--D-----", [3, 1], [10, 9, 8]),
                t(2, 0, "SSS------", [1], [2, 1, 1]),
                t(2, 0, "SSS------", [12, 1], [2, 1, 1]),
                t(2, 1, "SD-------", [6, 1], [8, 7, 6]),
                t(2, 2, "D--------", [3, 1], [5, 4, 3]),
                t(2, 2, "D--------", [3, 1], [11, 10, 9]),
            ],
            resolutions: [VideoResolution(width: 320, height: 180), VideoResolution(width: 640, height: 360),
                          VideoResolution(width: 1280, height: 720)])
        guard let s else { preconditionFailure("bad L3T3") }
        return s
    }

    static func write(_ d: DependencyDescriptor, structure: FrameDependencyStructure?, attach: Bool = false) throws -> [UInt8] {
        try [UInt8].writing(capacity: 256, { (w: inout ByteWriter) throws(WriteError) in
            try d.write(structure: structure, attachStructure: attach, to: &w)
        }, format: .av1)
    }

    static func read(_ reader: inout DependencyDescriptorReader, _ bytes: [UInt8]) -> Result<DependencyDescriptorReader.Result, ParseError> {
        bytes.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try reader.read(raw)) } catch { return .failure(error) }
        }
    }
}
