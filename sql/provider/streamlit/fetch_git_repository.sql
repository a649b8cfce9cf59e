-- Brings the clone up to date; CREATE STREAMLIT copies the files only once, from the clone.
ALTER GIT REPOSITORY {{REPOSITORY}} FETCH
