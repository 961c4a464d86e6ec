// The conformance suite under construction: the families append their cases to it in order, and
// it gives every case the meta the public interface promises (see conformanceSuite()).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/case.h"

namespace npf::conformance {

class Suite {
 public:
  // Appends case `name` with meta.present, meta.generator = kConformanceGenerator, the steps and
  // probes given, and tags = `tags` + "conformance" + "family:<first name segment>" + one
  // "action:<action>" per step + computeTags(), sorted and without duplicates. `profile`, when
  // given, is the case's meta.profile: what its expectations assume (`netpolfuzz conformance`
  // runs the case under it unless --profile is given).
  void add(const std::string& name, std::vector<std::string> tags, Cluster c,
           std::vector<Step> steps = {}, std::optional<ProbeSet> probes = std::nullopt,
           std::optional<Profile> profile = std::nullopt);
  std::vector<Case> take() { return std::move(cases_); }

 private:
  std::vector<Case> cases_;
};

}  // namespace npf::conformance
