// Tests of the engine arrive with the engine itself (checks, planner, applier).
