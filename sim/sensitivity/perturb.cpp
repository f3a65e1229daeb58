// Perturbed parameter values; see perturb.hpp.
#include "sim/sensitivity/perturb.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

namespace socsim {

std::string set_text(const std::string& path, const ParameterValue& v) {
  std::string text;
  switch (v.shape) {
    case ParameterValue::Shape::kInteger:
      text = fmt::format("{:.0f}", v.scalar);
      break;
    case ParameterValue::Shape::kQuantity:
      text = format_quantity(v.scalar, v.dim);
      break;
    case ParameterValue::Shape::kCurve:
      for (const auto& [x, y] : v.points)
        text += fmt::format("{}[{}, {}]", text.empty() ? "[" : ", ", format_quantity(x, v.x_dim),
                            format_quantity(y, v.dim));
      text += "]";
      break;
    case ParameterValue::Shape::kNumbers:
      for (double x : v.values)
        text += fmt::format("{}{}", text.empty() ? "[" : ", ", format_quantity(x, v.dim));
      text += "]";
      break;
  }
  return path + "=" + text;
}

ParameterValue scaled(const ParameterValue& v, double factor, const std::vector<bool>* rows) {
  ParameterValue out = v;
  auto on = [&](size_t i) { return !rows || (i < rows->size() && (*rows)[i]); };
  for (size_t i = 0; i < out.points.size(); ++i)
    if (on(i)) out.points[i].second *= factor;
  for (size_t i = 0; i < out.values.size(); ++i)
    if (on(i)) out.values[i] *= factor;
  out.scalar *= factor;
  if (out.shape == ParameterValue::Shape::kInteger) out.scalar = std::round(out.scalar);
  return out;
}

std::optional<CentralDifference> central_difference(const ParameterProvenance& p, double delta,
                                                    std::string& why_not) {
  CentralDifference d;
  ParameterValue minus = p.value, plus = p.value;
  if (p.value.is_table()) {
    d.p0 = 1;
    minus = scaled(p.value, 1 - delta);
    plus = scaled(p.value, 1 + delta);
  } else if (p.value.scalar == 0) {
    why_not = "its value is 0: a relative change is undefined";
    return std::nullopt;
  } else if (p.value.shape == ParameterValue::Shape::kInteger) {
    d.p0 = p.value.scalar;
    const double step = std::max(1.0, std::round(delta * std::fabs(p.value.scalar)));
    minus.scalar -= step;
    plus.scalar += step;
  } else {
    d.p0 = p.value.scalar;
    minus = scaled(p.value, 1 - delta);
    plus = scaled(p.value, 1 + delta);
  }
  d.minus = {set_text(p.path, minus), p.value.is_table() ? 1 - delta : minus.scalar};
  d.plus = {set_text(p.path, plus), p.value.is_table() ? 1 + delta : plus.scalar};
  return d;
}

}  // namespace socsim
