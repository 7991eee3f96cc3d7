#include "server/compression.h"

#include <zlib.h>

#include <catch2/catch.hpp>

using namespace ddbd::server;

namespace {

std::string Raw(std::string_view in) {  // raw deflate, as some clients send "deflate"
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace

TEST_CASE("request bodies in gzip, deflate and layered codings decode") {
  std::string body = R"({"TableName":"t"})";
  std::string out;
  CHECK(DecodeBody("gzip", Encode(Coding::kGzip, body), 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == body);
  CHECK(DecodeBody("deflate", Encode(Coding::kDeflate, body), 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == body);
  CHECK(DecodeBody("deflate", Raw(body), 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == body);
  // "gzip, gzip": compressed twice, so undone twice.
  std::string twice = Encode(Coding::kGzip, Encode(Coding::kGzip, body));
  CHECK(DecodeBody("gzip, gzip", twice, 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == body);
  CHECK(DecodeBody("identity", body, 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == body);
  // Concatenated gzip members are one body.
  std::string members = Encode(Coding::kGzip, "{\"a\":") + Encode(Coding::kGzip, "1}");
  CHECK(DecodeBody("gzip", members, 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == "{\"a\":1}");
}

TEST_CASE("broken encodings are refused, never half-decoded") {
  std::string body(10000, 'x');
  std::string gz = Encode(Coding::kGzip, body);
  std::string out;
  CHECK(DecodeBody("gzip", "not gzip at all", 1 << 20, &out) == DecodeResult::kMalformed);
  CHECK(DecodeBody("gzip", gz.substr(0, gz.size() - 1), 1 << 20, &out) == DecodeResult::kMalformed);
  CHECK(DecodeBody("gzip", gz.substr(0, gz.size() / 2), 1 << 20, &out) == DecodeResult::kMalformed);
  CHECK(DecodeBody("gzip", "", 1 << 20, &out) == DecodeResult::kMalformed);
  CHECK(DecodeBody("gzip", gz + "junk", 1 << 20, &out) == DecodeResult::kMalformed);
  CHECK(DecodeBody("gzip, gzip", gz, 1 << 20, &out) == DecodeResult::kMalformed);
  CHECK(DecodeBody("br", gz, 1 << 20, &out) == DecodeResult::kUnsupported);
  CHECK(DecodeBody("gzip", gz, 100, &out) == DecodeResult::kTooLarge);  // a bomb stops early
}

TEST_CASE("the response coding follows Accept-Encoding as the service negotiates it") {
  CHECK(NegotiateResponseCoding("") == Coding::kIdentity);
  CHECK(NegotiateResponseCoding("identity") == Coding::kIdentity);
  CHECK(NegotiateResponseCoding("gzip") == Coding::kGzip);
  CHECK(NegotiateResponseCoding("br, identity, deflate, gzip") == Coding::kDeflate);
  CHECK(NegotiateResponseCoding("gzip;q=0, deflate") == Coding::kDeflate);
  CHECK(NegotiateResponseCoding("deflate;q=0.5, gzip") == Coding::kGzip);
  CHECK(NegotiateResponseCoding("deflate;q=1.5, gzip") == Coding::kDeflate);
  CHECK(NegotiateResponseCoding("*") == Coding::kGzip);
  CHECK(NegotiateResponseCoding("gzip br") == Coding::kIdentity);
  CHECK(NegotiateResponseCoding("gzip:q=1") == Coding::kIdentity);
  CHECK(NegotiateResponseCoding("x-gzip, compress, zstd") == Coding::kIdentity);
  std::string big(kMinCompressedResponse, 'a');
  std::string out;
  CHECK(DecodeBody("gzip", Encode(Coding::kGzip, big), 1 << 20, &out) == DecodeResult::kOk);
  CHECK(out == big);
}
