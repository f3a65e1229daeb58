// The thermal section of a hardware profile: a small RC network and the governor that caps clocks
// as the phone heats. Every compute unit (each CPU cluster, the GPU, the NPU) is a heat source
// node joined to the package node; the package (which also takes DRAM, flash and the rest of the
// SoC) conducts to the skin (the phone's back and frame), which loses heat to the ambient air:
//
//   unit_i --R_source-- package --R_package_skin-- skin --R_skin_ambient-- ambient
//   (C_source)          (C_package)                (C_skin)
//
// The governor (a step-wise thermal governor, as Linux's `step_wise`) acts between simulation
// steps, per trip: at or above the skin limit it lowers every unit one DVFS state more, below the
// limit less the hysteresis it gives one state back; each unit's own junction trip does the same
// for that unit, and the lower cap wins.
#pragma once

#include "sim/config/schema.hpp"

namespace socsim {

struct ThermalSpec {
  bool enabled = false;
  double ambient = 25;                 // C
  double skin_limit = 43;              // C
  double junction_limit = 95;          // C
  double hysteresis = 2;               // K below the skin limit before clocks rise again
  double source_resistance = 2;        // K/W, a unit's hot spot to the package
  double source_capacity = 0.5;        // J/K, a unit's silicon and its share of the spreader
  double package_skin_resistance = 4;  // K/W
  double package_capacity = 5;         // J/K
  double skin_ambient_resistance = 8;  // K/W
  double skin_capacity = 60;           // J/K
};

void visit_thermal(FieldVisitor& v, ThermalSpec& t);

}  // namespace socsim
