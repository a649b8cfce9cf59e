-- Makes the files just copied the version viewers see.
ALTER STREAMLIT {{STREAMLIT}} ADD LIVE VERSION FROM LAST
