// HTTP content codings for DynamoDB requests and responses (zlib): decoding request bodies sent
// with Content-Encoding gzip or deflate (the SDKs' request-compression option), and choosing and
// applying a response coding from Accept-Encoding, as the service does for bodies >= 4 KB.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ddbd::server {

enum class Coding { kIdentity, kGzip, kDeflate };

enum class DecodeResult {
  kOk,
  kUnsupported,  // a coding other than gzip, deflate or identity
  kMalformed,    // not valid data of the named coding (garbage, truncated, empty)
  kTooLarge,     // the decoded body would exceed the limit
};

// Undoes every coding of `content_encoding` ("gzip", "deflate", "gzip, gzip", ...; applied in
// the listed order, so undone in reverse). Work is bounded by `limit` bytes of output per step.
DecodeResult DecodeBody(std::string_view content_encoding, std::string_view body, size_t limit,
                        std::string* out);

// The coding to answer with for this Accept-Encoding value: of gzip, deflate and "*" (meaning
// gzip), the one with the highest q-value (the first listed among equals; q=0 excludes);
// identity when none is acceptable or the value is malformed.
Coding NegotiateResponseCoding(std::string_view accept_encoding);

// Responses smaller than this go out uncompressed whatever the client accepts.
inline constexpr size_t kMinCompressedResponse = 4096;

std::string Encode(Coding coding, std::string_view body);
const char* CodingName(Coding coding);

}  // namespace ddbd::server
