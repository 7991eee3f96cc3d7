#include "api/operations/table_states.h"

namespace ddbd::api {

void TableStates::Expire(Clock::time_point now) {
  std::erase_if(creating_, [&](const auto& e) { return e.second <= now; });
  std::erase_if(deleting_, [&](const auto& e) { return e.second.second <= now; });
}

void TableStates::Created(uint64_t table_id) {
  if (!enabled()) return;
  std::lock_guard lock(mu_);
  creating_[table_id] = Clock::now() + delay_;
}

bool TableStates::IsCreating(uint64_t table_id) {
  if (!enabled()) return false;
  std::lock_guard lock(mu_);
  Expire(Clock::now());
  return creating_.count(table_id) > 0;
}

void TableStates::Deleted(const std::string& space, const TableDescription& description) {
  if (!enabled()) return;
  std::lock_guard lock(mu_);
  deleting_[space + '\0' + description.name] = {description, Clock::now() + delay_};
}

std::optional<TableDescription> TableStates::Deleting(const std::string& space,
                                                      const std::string& name) {
  if (!enabled()) return std::nullopt;
  std::lock_guard lock(mu_);
  Expire(Clock::now());
  auto it = deleting_.find(space + '\0' + name);
  if (it == deleting_.end()) return std::nullopt;
  return it->second.first;
}

}  // namespace ddbd::api
