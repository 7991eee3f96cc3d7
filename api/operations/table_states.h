// TableStates: the transient table statuses of DynamoDB Local's -delayTransientStatuses. With a
// delay, a new table is CREATING (item operations fail as on a table that is not ACTIVE yet)
// and a deleted table is DELETING (still described) for that long. Without one, nothing is kept.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "api/operations/types.h"

namespace ddbd::api {

class TableStates {
 public:
  explicit TableStates(std::chrono::milliseconds delay) : delay_(delay) {}

  bool enabled() const { return delay_.count() > 0; }
  void Created(uint64_t table_id);
  bool IsCreating(uint64_t table_id);
  void Deleted(const std::string& space, const TableDescription& description);
  // The description of a table still DELETING, if any.
  std::optional<TableDescription> Deleting(const std::string& space, const std::string& name);

 private:
  using Clock = std::chrono::steady_clock;
  void Expire(Clock::time_point now);

  std::chrono::milliseconds delay_;
  std::mutex mu_;
  std::map<uint64_t, Clock::time_point> creating_;
  std::map<std::string, std::pair<TableDescription, Clock::time_point>> deleting_;
};

}  // namespace ddbd::api
