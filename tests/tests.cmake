# One line per test binary: socsim_test(<name> <label> <sources...>)
socsim_core_test(units_test unit unit/units_test.cpp)
