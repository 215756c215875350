/// The engine (snapshot, checks, planner, applier) arrives with the engine issue; see
/// DESIGN.md. The target exists now so the package layout is the final one.
public enum Reconciler {}
