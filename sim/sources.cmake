# Explicit source lists of the simulator, by concern.
set(SOCSIM_CORE_SOURCES
  sim/config/units.cpp
  sim/config/diagnostics.cpp
  sim/config/yaml_reader.cpp
  sim/config/curve.cpp
  sim/config/overrides.cpp
  sim/config/describe.cpp
  sim/hw/hw_spec.cpp
  sim/model/model_spec.cpp
  sim/model/hf_config.cpp
  sim/graph/task_graph.cpp
  sim/graph/op_formulas.cpp
  sim/engine/platform.cpp
  sim/lower/workload.cpp
  sim/lower/transformer_lowering.cpp
  sim/policy/registry.cpp
  sim/policy/scheduler_registry.cpp
  sim/policy/memory_plan.cpp
  sim/cost/cost_model.cpp
  sim/engine/simulation.cpp
  sim/engine/link_model.cpp
  sim/engine/analytic_backend.cpp
  sim/energy/energy.cpp
)
# Running design points end to end (needs the engine backends).
set(SOCSIM_DRIVER_SOURCES
  sim/driver/inputs.cpp
  sim/driver/simulate.cpp
  sim/report/result_json.cpp
  sim/report/trace.cpp
)
# Self-registering plug-ins: linked as objects into every executable so none is dropped.
set(SOCSIM_PLUGIN_SOURCES
  sim/policy/impl/single_unit.cpp
  sim/policy/impl/mllm_npu.cpp
  sim/policy/schedulers/in_order.cpp
  sim/policy/schedulers/cg_greedy.cpp
  sim/cost/impl/roofline.cpp
  sim/cost/impl/flash_read.cpp
)
# The only translation units that include SimGrid.
set(SOCSIM_SIMGRID_SOURCES
  sim/engine/simgrid_backend.cpp
)
# Functional execution of schedules on the reference kernels (kernels/).
set(SOCSIM_VERIFY_SOURCES
  sim/verify/reference_model.cpp
  sim/verify/executor.cpp
  sim/verify/verify.cpp
  sim/verify/accuracy_proxy.cpp
)
# Host calibration: microbenchmarks of the reference kernels, the host profile and its validation.
set(SOCSIM_CALIBRATE_SOURCES
  sim/calibrate/host_benchmarks.cpp
  sim/calibrate/host_facts.cpp
  sim/calibrate/host_fit.cpp
  sim/calibrate/host_profile_writer.cpp
  sim/calibrate/validate_host.cpp
)
set(SOCSIM_CLI_SOURCES
  sim/cli/main.cpp
  sim/cli/run_command.cpp
  sim/cli/list_describe_commands.cpp
  sim/cli/verify_commands.cpp
  sim/cli/calibrate_commands.cpp
)
