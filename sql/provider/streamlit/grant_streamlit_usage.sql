-- The viewer role may open the app; it reads data with the app owner's rights.
GRANT USAGE ON STREAMLIT {{STREAMLIT}} TO ROLE {{ROLE}}
