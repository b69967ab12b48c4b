"""Plain helper functions and constants the tests share; fixtures stay in the conftest modules."""
