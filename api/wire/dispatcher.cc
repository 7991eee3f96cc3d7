#include "api/wire/dispatcher.h"

#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "api/wire/handlers.h"

namespace ddbd::api::wire {
namespace {

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";

// The declarative operation table.
const std::map<std::string_view, Handler>& Operations() {
  static const std::map<std::string_view, Handler> kOperations = {
      {"CreateTable", &HandleCreateTable},
      {"DescribeTable", &HandleDescribeTable},
      {"DeleteTable", &HandleDeleteTable},
      {"ListTables", &HandleListTables},
      {"PutItem", &HandlePutItem},
      {"GetItem", &HandleGetItem},
      {"DeleteItem", &HandleDeleteItem},
      {"UpdateItem", &HandleUpdateItem},
      {"Query", &HandleQuery},
      {"Scan", &HandleScan},
      {"UpdateTable", &HandleUpdateTable},
      {"BatchGetItem", &HandleBatchGetItem},
      {"BatchWriteItem", &HandleBatchWriteItem},
      {"TransactWriteItems", &HandleTransactWriteItems},
      {"TransactGetItems", &HandleTransactGetItems},
  };
  return kOperations;
}

// DynamoDB operations ddbd does not implement yet: refused with a clear message.
const std::set<std::string_view>& NotYetSupported() {
  static const std::set<std::string_view> kOps = {"BatchExecuteStatement",
                                                  "CreateBackup",
                                                  "CreateGlobalTable",
                                                  "DeleteBackup",
                                                  "DeleteResourcePolicy",
                                                  "DescribeBackup",
                                                  "DescribeContinuousBackups",
                                                  "DescribeContributorInsights",
                                                  "DescribeEndpoints",
                                                  "DescribeExport",
                                                  "DescribeGlobalTable",
                                                  "DescribeGlobalTableSettings",
                                                  "DescribeImport",
                                                  "DescribeKinesisStreamingDestination",
                                                  "DescribeLimits",
                                                  "DescribeTableReplicaAutoScaling",
                                                  "DescribeTimeToLive",
                                                  "DisableKinesisStreamingDestination",
                                                  "EnableKinesisStreamingDestination",
                                                  "ExecuteStatement",
                                                  "ExecuteTransaction",
                                                  "ExportTableToPointInTime",
                                                  "GetResourcePolicy",
                                                  "ImportTable",
                                                  "ListBackups",
                                                  "ListContributorInsights",
                                                  "ListExports",
                                                  "ListGlobalTables",
                                                  "ListImports",
                                                  "ListTagsOfResource",
                                                  "PutResourcePolicy",
                                                  "RestoreTableFromBackup",
                                                  "RestoreTableToPointInTime",
                                                  "TagResource",
                                                  "UntagResource",
                                                  "UpdateContinuousBackups",
                                                  "UpdateContributorInsights",
                                                  "UpdateGlobalTable",
                                                  "UpdateGlobalTableSettings",
                                                  "UpdateKinesisStreamingDestination",
                                                  "UpdateTableReplicaAutoScaling",
                                                  "UpdateTimeToLive"};
  return kOps;
}

}  // namespace

Reply Dispatcher::ErrorReply(const ApiError& error) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("__type");
  w.String(error.type().c_str(), static_cast<rapidjson::SizeType>(error.type().size()));
  if (!error.message().empty()) {
    w.Key(error.capitalized_message_key() ? "Message" : "message");
    w.String(error.message().c_str(), static_cast<rapidjson::SizeType>(error.message().size()));
  }
  if (error.item()) {
    w.Key("Item");
    WriteAttributeMap(*error.item(), w);
  }
  if (!error.cancellation_reasons().empty()) {
    w.Key("CancellationReasons");
    w.StartArray();
    for (const auto& r : error.cancellation_reasons()) {
      w.StartObject();
      w.Key("Code");
      w.String(r.code.c_str(), static_cast<rapidjson::SizeType>(r.code.size()));
      if (!r.message.empty()) {
        w.Key("Message");
        w.String(r.message.c_str(), static_cast<rapidjson::SizeType>(r.message.size()));
      }
      if (r.item) {
        w.Key("Item");
        WriteAttributeMap(*r.item, w);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return Reply{error.http_status(), std::string(buf.GetString(), buf.GetSize())};
}

namespace {

// Each I/O thread parses into and writes from buffers it keeps between requests. Allocated anew
// per request, the parser's 64 KB first chunk, its 1 KB stack and the 64 KB response buffer were
// three large allocations and two large frees, each of which makes glibc's malloc consolidate
// every small freed chunk of the thread's arena first: ~1 us of a PutItem on a table with two
// GSIs (perf), which frees many small chunks.
constexpr size_t kParseChunk = 64 * 1024;
constexpr size_t kKeptResponseBytes = 1 << 20;  // a larger response's buffer is given back

struct ThreadBuffers {
  alignas(16) char parse_chunk[kParseChunk];
  // Room for a typical Query page, so the buffer is not regrown (and copied) a dozen times while
  // it is written.
  rapidjson::StringBuffer response{nullptr, 64 * 1024};
};

ThreadBuffers& Buffers() {
  static thread_local auto buffers = std::make_unique<ThreadBuffers>();
  return *buffers;
}

// Clears the response buffer when the reply is built, whatever way Handle leaves.
struct ResponseLease {
  rapidjson::StringBuffer& buf;
  explicit ResponseLease(rapidjson::StringBuffer& b) : buf(b) { buf.Clear(); }
  ~ResponseLease() {
    buf.Clear();
    if (buf.stack_.GetCapacity() > kKeptResponseBytes) buf.ShrinkToFit();
  }
};

}  // namespace

Reply Dispatcher::Handle(const Request& request) noexcept {
  try {
    ThreadBuffers& buffers = Buffers();
    // The document's values live in the thread's chunk (and in chunks of the pool's own, freed
    // with it, once a large request outgrows it); the parser's stack starts under malloc's
    // large-request size and grows as a request's nesting needs.
    rapidjson::MemoryPoolAllocator<> pool(buffers.parse_chunk, kParseChunk);
    rapidjson::Document doc(&pool, 512);
    // Iterative parsing: hostile nesting cannot exhaust the stack. Trailing garbage is an error.
    doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
        request.body.data(), request.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return ErrorReply(ApiError::Serialization(""));

    std::string_view target = request.target;
    if (!target.starts_with(kTargetPrefix)) return ErrorReply(ApiError::UnknownOperation());
    std::string_view op = target.substr(kTargetPrefix.size());
    auto it = Operations().find(op);
    if (it == Operations().end()) {
      if (NotYetSupported().count(op)) {
        return ErrorReply(ApiError::UnknownOperation("ddbd does not support the " +
                                                     std::string(op) + " operation yet"));
      }
      return ErrorReply(ApiError::UnknownOperation());
    }
    if (request.auth_error) return ErrorReply(*request.auth_error);

    Context ctx{store_, request.caller, states_.enabled() ? &states_ : nullptr, &tokens_};
    RequestReader reader(doc);
    ResponseLease lease(buffers.response);
    rapidjson::StringBuffer& buf = lease.buf;
    JsonWriter writer(buf);
    it->second(ctx, reader, writer);
    // A handler that left the document unbalanced is a bug: never send broken JSON.
    if (!writer.IsComplete()) {
      std::cerr << "ddbd: internal error in " << request.target << ": incomplete response\n";
      return ErrorReply(ApiError::Internal());
    }
    return Reply{200, std::string(buf.GetString(), buf.GetSize())};
  } catch (const ApiError& e) {
    return ErrorReply(e);
  } catch (const std::exception& e) {
    std::cerr << "ddbd: internal error in " << request.target << ": " << e.what() << "\n";
    return ErrorReply(ApiError::Internal());
  } catch (...) {
    std::cerr << "ddbd: unknown internal error in " << request.target << "\n";
    return ErrorReply(ApiError::Internal());
  }
}

}  // namespace ddbd::api::wire
