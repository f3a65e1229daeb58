// Cached input reading; see input_cache.hpp.
#include "sim/driver/input_cache.hpp"

#include <algorithm>

#include "sim/driver/inputs.hpp"

namespace socsim {

std::string InputCache::resolve(const std::string& name, const std::string& dir,
                                const std::string& option, Diagnostics& diags) {
  const auto key = std::make_pair(name, dir);
  if (auto it = resolved_.find(key); it != resolved_.end()) return it->second;
  std::string path = resolve_input(name, dir, option, diags);
  if (!path.empty()) resolved_.emplace(key, path);
  return path;
}

template <class Spec>
Spec InputCache::get(std::map<std::string, Entry<Spec>>& cache, const std::string& path,
                     Spec (*read)(const std::string&, Diagnostics&, SourceMap*), Diagnostics& diags,
                     SourceMap* where) {
  auto it = cache.find(path);
  if (it == cache.end()) {
    Entry<Spec> e;
    e.spec = read(path, e.diags, &e.where);
    e.where.freeze();  // every load's copy shares the file's locations
    it = cache.emplace(path, std::move(e)).first;
  }
  diags.append(it->second.diags);
  if (where) *where = it->second.where;
  return it->second.spec;
}

HwSpec InputCache::hw(const std::string& path, Diagnostics& diags, SourceMap* where) {
  return get<HwSpec>(hw_, path, &read_hw, diags, where);
}

ModelSpec InputCache::model(const std::string& path, Diagnostics& diags, SourceMap* where) {
  return get<ModelSpec>(models_, path, &read_model, diags, where);
}

EngineSpec InputCache::engine(const std::string& path, Diagnostics& diags, SourceMap* where) {
  return get<EngineSpec>(engines_, path, &read_engine, diags, where);
}

std::vector<std::string> InputCache::files() const {
  std::vector<std::string> out;
  for (const auto& [path, e] : hw_) out.push_back(path);
  for (const auto& [path, e] : models_) out.push_back(path);
  for (const auto& [path, e] : engines_) out.push_back(path);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace socsim
