// Declaration of the thermal section; see thermal_spec.hpp.
#include "sim/thermal/thermal_spec.hpp"

namespace socsim {

void visit_thermal(FieldVisitor& v, ThermalSpec& t) {
  v.flag("enabled", t.enabled,
         {"simulate heating and the governor's clock caps (sessions and long runs)", "false"});
  v.quantity("ambient", t.ambient, Dim::kTemperature,
             {"air temperature around the phone", "25C", -40, 60});
  v.quantity("skin_limit", t.skin_limit, Dim::kTemperature,
             {"skin temperature the governor holds the phone below", "43C", 30, 70});
  v.quantity("junction_limit", t.junction_limit, Dim::kTemperature,
             {"hot-spot temperature at which a unit is capped on its own", "95C", 50, 150});
  v.quantity("hysteresis", t.hysteresis, Dim::kNumber,
             {"kelvins below the skin limit before the governor raises clocks again", "2", 0, 20});
  v.quantity("source_resistance", t.source_resistance, Dim::kThermalResistance,
             {"from a unit's hot spot to the package", "2K/W", 0.01, 100});
  v.quantity("source_capacity", t.source_capacity, Dim::kHeatCapacity,
             {"heat capacity of a unit's hot spot", "0.5J/K", 0.001, 100});
  v.quantity("package_skin_resistance", t.package_skin_resistance, Dim::kThermalResistance,
             {"from the package to the skin (board, spreader, vapour chamber)", "4K/W", 0.01, 100});
  v.quantity("package_capacity", t.package_capacity, Dim::kHeatCapacity,
             {"heat capacity of the package and board", "5J/K", 0.01, 1000});
  v.quantity("skin_ambient_resistance", t.skin_ambient_resistance, Dim::kThermalResistance,
             {"from the skin to the air (convection and radiation)", "8K/W", 0.1, 200});
  v.quantity("skin_capacity", t.skin_capacity, Dim::kHeatCapacity,
             {"heat capacity of the phone's body", "60J/K", 1, 10000});
}

}  // namespace socsim
