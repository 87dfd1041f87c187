// fuzz/fuzz_status_common.h: invariants shared by the status-list fuzz targets.
#ifndef BONAFIDE_FUZZ_FUZZ_STATUS_COMMON_H_
#define BONAFIDE_FUZZ_FUZZ_STATUS_COMMON_H_

#include "fuzz_common.h"
#include "status/token_status_list.h"

namespace bonafide::fuzz {

// CheckListEnds: a decoded list answers Get for its last entry and kStatusUnavailable one past it.
inline void CheckListEnds(const status::StatusList& list) {
  Check(list.size() > 0 && list.Get(list.size() - 1).ok(), "last entry readable");
  Check(list.Get(list.size()).status().code() == StatusCode::kStatusUnavailable,
        "one past the end is status_unavailable");
}

}  // namespace bonafide::fuzz

#endif  // BONAFIDE_FUZZ_FUZZ_STATUS_COMMON_H_
