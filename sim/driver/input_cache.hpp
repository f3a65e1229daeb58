// A per-process cache of what load_run reads from disk: shipped-name resolution ("redmi-k70-pro"
// -> hwprofiles/redmi-k70-pro.yaml) and the specs parsed from hardware profiles, models and engine
// profiles, each with the source locations and diagnostics its reading produced. A process that
// loads many design points (a sweep worker) then parses each file once; every load copies the
// cached spec before applying its overrides, so a cached load gives exactly the LoadedRun (and
// the errors) of an uncached one. Files are assumed not to change while the cache lives.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/hw/engine_spec.hpp"
#include "sim/hw/hw_spec.hpp"
#include "sim/model/model_spec.hpp"

namespace socsim {

class InputCache {
 public:
  // resolve_input with its answer remembered (failures are not cached: they are reported again).
  std::string resolve(const std::string& name_or_path, const std::string& dir,
                      const std::string& option, Diagnostics& diags);
  // read_hw / read_model / read_engine of `path`, copied out of the cache; the reading's
  // diagnostics are appended to `diags`, and `where` (when given) becomes its key locations.
  HwSpec hw(const std::string& path, Diagnostics& diags, SourceMap* where);
  ModelSpec model(const std::string& path, Diagnostics& diags, SourceMap* where);
  EngineSpec engine(const std::string& path, Diagnostics& diags, SourceMap* where);
  // Every file read so far (profiles, models, engine profiles), sorted.
  std::vector<std::string> files() const;

 private:
  template <class Spec>
  struct Entry {
    Spec spec;
    SourceMap where;
    Diagnostics diags;
  };
  template <class Spec>
  Spec get(std::map<std::string, Entry<Spec>>& cache, const std::string& path,
           Spec (*read)(const std::string&, Diagnostics&, SourceMap*), Diagnostics& diags,
           SourceMap* where);

  std::map<std::pair<std::string, std::string>, std::string> resolved_;
  std::map<std::string, Entry<HwSpec>> hw_;
  std::map<std::string, Entry<ModelSpec>> models_;
  std::map<std::string, Entry<EngineSpec>> engines_;
};

}  // namespace socsim
