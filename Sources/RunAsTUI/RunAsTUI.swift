/// The full-screen profile manager: state, reducer, renderer and terminal adapters.
public enum RunAsTUI {}
